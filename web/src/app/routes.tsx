import type { RouteObject } from 'react-router';
import { LoginPage } from '../features/auth/LoginPage';
import { RequireAuth } from '../features/auth/RequireAuth';
import { DashboardPage } from '../features/dashboard/DashboardPage';
import { DatasetsPage } from '../features/datasets/DatasetsPage';
import { JobDetailPage } from '../features/jobs/JobDetailPage';
import { JobsPage } from '../features/jobs/JobsPage';
import { NewJobPage } from '../features/jobs/NewJobPage';
import { AppLayout } from '../features/layout/AppLayout';
import { NotFoundPage } from '../features/layout/NotFoundPage';
import { ModelsPage } from '../features/models/ModelsPage';
import { PlaygroundPage } from '../features/playground/PlaygroundPage';
import { SettingsPage } from '../features/settings/SettingsPage';

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
      { path: 'datasets', element: <DatasetsPage /> },
      { path: 'playground', element: <PlaygroundPage /> },
      { path: 'settings', element: <SettingsPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
