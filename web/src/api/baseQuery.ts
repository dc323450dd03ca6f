// fetchBaseQuery plus session renewal: on a 401, refresh once (shared by concurrent requests),
// retry, and end the session when the server refuses the refresh token.
import type { BaseQueryApi, BaseQueryFn, FetchArgs, FetchBaseQueryError } from '@reduxjs/toolkit/query';
import { fetchBaseQuery } from '@reduxjs/toolkit/query/react';
import {
  REFRESH_TOKEN_KEY,
  loggedOut,
  sessionExpired,
  tokensReceived,
  type AuthState,
} from '../features/auth/authSlice';
import { readItem } from '../features/preferences/storage';
import type { TokenPair } from './types';

// Absolute, so the same code runs in the browser and under Node's fetch in tests.
export const API_BASE = `${window.location.origin}/api/v1`;

// These answer 401 for bad credentials or a spent refresh token; renewing would be wrong there.
// (Logout does renew: the server ends the sign-in its access token belongs to.)
const NO_REAUTH = new Set(['/auth/login', '/auth/refresh']);

type Args = string | FetchArgs;
type Extra = Parameters<BaseQueryFn>[2];
const stateOf = (api: BaseQueryApi) => (api.getState() as { auth: AuthState }).auth;

export const rawBaseQuery = fetchBaseQuery({
  baseUrl: API_BASE,
  prepareHeaders: (headers, { getState }) => {
    const token = (getState() as { auth: AuthState }).auth.accessToken;
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return headers;
  },
});

// Refresh tokens rotate and a reused one revokes its family, so tabs must not refresh in
// parallel: take a browser-wide lock where the Web Locks API exists (secure contexts).
async function withTabLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return task();
  return await locks.request('easytune-token-refresh', task);
}

async function refresh(api: BaseQueryApi, extra: Extra): Promise<boolean> {
  return withTabLock(async () => {
    // Read storage inside the lock: another tab may have rotated the token a moment ago.
    const token = readItem(REFRESH_TOKEN_KEY) ?? stateOf(api).refreshToken;
    if (!token) {
      api.dispatch(loggedOut());
      return false;
    }
    const body = { refresh_token: token };
    const result = await rawBaseQuery({ url: '/auth/refresh', method: 'POST', body }, api, extra);
    if (result.data) {
      api.dispatch(tokensReceived(result.data as TokenPair));
      return true;
    }
    // Only a refusal ends the session; a network blip or a 5xx keeps it for the next try.
    const status = result.error?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) api.dispatch(sessionExpired());
    return false;
  });
}

let pending: Promise<boolean> | null = null;

/** Runs one refresh at a time; callers arriving meanwhile share its outcome. */
export function refreshOnce(api: BaseQueryApi, extra: Extra): Promise<boolean> {
  pending ??= refresh(api, extra).finally(() => {
    pending = null;
  });
  return pending;
}

const urlOf = (args: Args) => (typeof args === 'string' ? args : args.url);

export const baseQueryWithReauth: BaseQueryFn<Args, unknown, FetchBaseQueryError> = async (args, api, extra) => {
  if (NO_REAUTH.has(urlOf(args))) return rawBaseQuery(args, api, extra);
  if (pending) await pending;
  // After a reload only the refresh token survives: renew before the first call, not after a 401.
  if (stateOf(api).accessToken === null && stateOf(api).refreshToken !== null) await refreshOnce(api, extra);
  const tokenUsed = stateOf(api).accessToken;
  const result = await rawBaseQuery(args, api, extra);
  if (result.error?.status !== 401) return result;
  const current = stateOf(api).accessToken;
  // A 401 that arrives after someone else already renewed the token just needs a retry.
  const renewed = current !== null && current !== tokenUsed ? true : await refreshOnce(api, extra);
  return renewed ? rawBaseQuery(args, api, extra) : result;
};
