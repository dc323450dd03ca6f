import type { TokenPair, UserPublic } from '../api/types';

export const API = 'http://localhost:3000/api/v1';

export const admin: UserPublic = {
  id: 1,
  username: 'admin',
  role: 'admin',
  is_active: true,
  created_at: '2025-01-02T03:04:05Z',
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
