import {
  AppstoreOutlined,
  DashboardOutlined,
  DatabaseOutlined,
  ExperimentOutlined,
  PlusCircleOutlined,
  SettingOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';

export interface NavItem {
  path: string;
  labelKey: string;
  icon: ReactNode;
}

export const NAV_ITEMS: NavItem[] = [
  { path: '/', labelKey: 'nav.dashboard', icon: <DashboardOutlined /> },
  { path: '/jobs/new', labelKey: 'nav.newJob', icon: <PlusCircleOutlined /> },
  { path: '/jobs', labelKey: 'nav.jobs', icon: <UnorderedListOutlined /> },
  { path: '/models', labelKey: 'nav.models', icon: <AppstoreOutlined /> },
  { path: '/datasets', labelKey: 'nav.datasets', icon: <DatabaseOutlined /> },
  { path: '/playground', labelKey: 'nav.playground', icon: <ExperimentOutlined /> },
  { path: '/settings', labelKey: 'nav.settings', icon: <SettingOutlined /> },
];

/** The nav item for a URL: the longest path that contains it (`/jobs/new` beats `/jobs`). */
export function selectedNavPath(pathname: string): string | undefined {
  const within = (path: string) => path === '/' ? pathname === '/' : pathname === path || pathname.startsWith(`${path}/`);
  return NAV_ITEMS.map((item) => item.path)
    .filter(within)
    .sort((a, b) => b.length - a.length)[0];
}
