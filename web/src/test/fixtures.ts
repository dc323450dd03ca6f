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

export const tokens = (n: number): TokenPair => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: 'bearer',
  expires_in: 900,
});

export const apiError = (code: string, message: string, param: string | null = null) => ({
  error: { code, message, param },
});
