import type { Me, TokenPair } from '../api/types';

export const API = 'http://localhost:3000/api/v1';

/** GET /auth/me of the first admin (a `UserPublic` plus permissions). */
export const admin: Me = {
  id: 1,
  username: 'admin',
  role: 'admin',
  is_active: true,
  created_at: '2025-01-02T03:04:05Z',
  last_login_at: '2025-01-03T04:05:06Z',
  permissions: ['account:self', 'audit:read', 'jobs:read', 'users:manage'],
};

// The permissions the server grants each role (easytune.core.permissions).
const VIEWER_PERMISSIONS = ['account:self', 'datasets:read', 'models:read', 'jobs:read'];
const ENGINEER_PERMISSIONS = [...VIEWER_PERMISSIONS, 'datasets:write', 'models:write', 'jobs:create', 'playground:use'];
const ADMIN_PERMISSIONS = [...ENGINEER_PERMISSIONS, 'users:manage', 'audit:read', 'models:register', 'jobs:manage'];

/** GET /auth/me of an administrator with every permission the server grants that role. */
export const fullAdmin: Me = { ...admin, permissions: ADMIN_PERMISSIONS };

/** GET /auth/me of an engineer: uploads datasets, starts jobs, manages own adapters, uses the playground. */
export const engineer: Me = { ...admin, id: 2, username: 'erin', role: 'engineer', permissions: ENGINEER_PERMISSIONS };

/** GET /auth/me of a viewer: reads datasets, models and jobs. */
export const viewer: Me = { ...admin, id: 3, username: 'vic', role: 'viewer', permissions: VIEWER_PERMISSIONS };

export const tokens = (n: number): TokenPair => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: 'bearer',
  expires_in: 900,
});

export const apiError = (code: string, message: string, param: string | null = null) => ({
  error: { code, message, param },
});
