import { lazy } from 'react';
import type { RouteObject } from 'react-router';
import { LoginPage } from '../features/auth/LoginPage';
import { RequireAuth } from '../features/auth/RequireAuth';
import { AppLayout } from '../features/layout/AppLayout';
import { NotFoundPage } from '../features/layout/NotFoundPage';

// Each page (and the parts of antd only it uses) is its own chunk, loaded when first opened;
// AppLayout shows a skeleton meanwhile (a <Suspense> around its <Outlet>).
const ComparisonPage = lazy(() => import('../features/evaluation/ComparisonPage').then((m) => ({ default: m.ComparisonPage })));
const DashboardPage = lazy(() => import('../features/dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })));
const DatasetsPage = lazy(() => import('../features/datasets/DatasetsPage').then((m) => ({ default: m.DatasetsPage })));
const JobDetailPage = lazy(() => import('../features/jobs/JobDetailPage').then((m) => ({ default: m.JobDetailPage })));
const JobsPage = lazy(() => import('../features/jobs/JobsPage').then((m) => ({ default: m.JobsPage })));
const NewJobPage = lazy(() => import('../features/jobs/NewJobPage').then((m) => ({ default: m.NewJobPage })));
const ModelsPage = lazy(() => import('../features/models/ModelsPage').then((m) => ({ default: m.ModelsPage })));
const PlaygroundPage = lazy(() => import('../features/playground/PlaygroundPage').then((m) => ({ default: m.PlaygroundPage })));
const SettingsPage = lazy(() => import('../features/settings/SettingsPage').then((m) => ({ default: m.SettingsPage })));
/** The route table, shared by the browser router and the tests' memory router. */
export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  {
    path: '/',
    element: (
      <RequireAuth>
        <AppLayout />
      </RequireAuth>
    ),
    children: [
      { index: true, element: <DashboardPage /> },
      { path: 'jobs', element: <JobsPage /> },
      { path: 'jobs/new', element: <NewJobPage /> },
      { path: 'jobs/:id', element: <JobDetailPage /> },
      { path: 'models', element: <ModelsPage /> },
      { path: 'evaluations/:id', element: <ComparisonPage /> },
      { path: 'datasets', element: <DatasetsPage /> },
      { path: 'playground', element: <PlaygroundPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
