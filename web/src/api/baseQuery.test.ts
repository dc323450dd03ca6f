// The re-auth base query against a real HTTP exchange (msw intercepts Node's fetch).
import { http, HttpResponse, type JsonBodyType } from 'msw';
import { describe, expect, it } from 'vitest';
import { makeStore } from '../app/store';
import { authApi } from '../features/auth/authApi';
import { usersApi } from '../features/settings/usersApi';
import { signedIn } from '../test/render';
import { server } from '../test/server';
import { API, admin, apiError, tokens } from '../test/fixtures';

const page = { data: [], count: 0 };

/** An API that accepts only `access-N` for the current N and rotates on refresh. */
function fakeAuthServer(opts: { refreshStatus?: number; slowUsersMs?: number } = {}) {
  const seen = { refresh: [] as string[], authHeaders: [] as (string | null)[] };
  let generation = 1;
  const guard = (request: Request, body: JsonBodyType) => {
    const header = request.headers.get('Authorization');
    seen.authHeaders.push(header);
    return header === `Bearer access-${generation}`
      ? HttpResponse.json(body)
      : HttpResponse.json(apiError('token_expired', 'Access token expired'), { status: 401 });
  };
  server.use(
    http.post(`${API}/auth/refresh`, async ({ request }) => {
      const { refresh_token } = (await request.json()) as { refresh_token: string };
      seen.refresh.push(refresh_token);
      await new Promise((resolve) => setTimeout(resolve, 20)); // let concurrent 401s pile up
      if (opts.refreshStatus) {
        return HttpResponse.json(apiError('token_revoked', 'Session ended'), { status: opts.refreshStatus });
      }
      generation += 1;
      return HttpResponse.json(tokens(generation));
    }),
    http.get(`${API}/auth/me`, ({ request }) => guard(request, admin)),
    http.get(`${API}/users`, async ({ request }) => {
      const response = guard(request, page); // judged on arrival, answered late if asked to
      if (opts.slowUsersMs) await new Promise((resolve) => setTimeout(resolve, opts.slowUsersMs));
      return response;
    }),
    http.get(`${API}/audit`, ({ request }) => guard(request, page)),
  );
  return { seen, expire: () => (generation += 1) };
}

describe('baseQueryWithReauth', () => {
  it('refreshes on a 401, retries with the new token and stores the rotated refresh token', async () => {
    const { seen, expire } = fakeAuthServer();
    const store = makeStore(signedIn('access-1', 'refresh-1'));
    expire(); // the server now wants access-2: our access-1 is stale

    const result = await store.dispatch(authApi.endpoints.me.initiate());

    expect(result.data).toEqual(admin);
    expect(seen.refresh).toEqual(['refresh-1']);
    expect(seen.authHeaders).toEqual(['Bearer access-1', 'Bearer access-3']);
    expect(store.getState().auth.accessToken).toBe('access-3');
    expect(window.localStorage.getItem('easytune.refresh_token')).toBe('refresh-3');
  });

  it('shares one refresh between concurrent 401s', async () => {
    const { seen, expire } = fakeAuthServer();
    const store = makeStore(signedIn('access-1', 'refresh-1'));
    expire();

    const results = await Promise.all([
      store.dispatch(authApi.endpoints.me.initiate()),
      store.dispatch(usersApi.endpoints.listUsers.initiate({ offset: 0, limit: 20 })),
      store.dispatch(usersApi.endpoints.listAudit.initiate({ offset: 0, limit: 50 })),
    ]);

    expect(results.map((r) => r.isSuccess)).toEqual([true, true, true]);
    expect(seen.refresh).toHaveLength(1);
  });

  it('retries without a second refresh when a 401 arrives after the token was already renewed', async () => {
    const { seen, expire } = fakeAuthServer({ slowUsersMs: 150 });
    const store = makeStore(signedIn('access-1', 'refresh-1'));
    expire();

    const [me, users] = await Promise.all([
      store.dispatch(authApi.endpoints.me.initiate()),
      store.dispatch(usersApi.endpoints.listUsers.initiate({ offset: 0, limit: 20 })),
    ]);

    expect([me.isSuccess, users.isSuccess]).toEqual([true, true]);
    expect(seen.refresh).toHaveLength(1);
  });

  it('refreshes only once per request: a second 401 is returned, not retried again', async () => {
    const { seen, expire } = fakeAuthServer();
    server.use(http.get(`${API}/audit`, () => HttpResponse.json(apiError('forbidden', 'No'), { status: 401 })));
    const store = makeStore(signedIn('access-1', 'refresh-1'));
    expire();

    const result = await store.dispatch(usersApi.endpoints.listAudit.initiate({ offset: 0, limit: 50 }));

    expect(result.error).toMatchObject({ status: 401 });
    expect(seen.refresh).toHaveLength(1);
    expect(store.getState().auth.accessToken).toBe('access-3');
  });

  it('renews before the first request when only the refresh token survived a reload', async () => {
    const { seen } = fakeAuthServer();
    const store = makeStore(signedIn(null, 'refresh-1'));

    const result = await store.dispatch(authApi.endpoints.me.initiate());

    expect(result.data).toEqual(admin);
    expect(seen.refresh).toEqual(['refresh-1']);
    expect(seen.authHeaders).toEqual(['Bearer access-2']); // no wasted 401 round trip
  });

  it('ends the session when the server refuses the refresh token', async () => {
    const { seen, expire } = fakeAuthServer({ refreshStatus: 401 });
    const store = makeStore(signedIn('access-1', 'refresh-1'));
    expire();

    const result = await store.dispatch(authApi.endpoints.me.initiate());

    expect(result.error).toMatchObject({ status: 401 });
    expect(seen.refresh).toHaveLength(1); // once, not in a loop
    expect(store.getState().auth).toEqual({ accessToken: null, refreshToken: null, expired: true });
    expect(window.localStorage.getItem('easytune.refresh_token')).toBeNull();
  });

  it('keeps the session when the refresh fails for a server-side reason', async () => {
    const { expire } = fakeAuthServer({ refreshStatus: 503 });
    const store = makeStore(signedIn('access-1', 'refresh-1'));
    expire();

    const result = await store.dispatch(authApi.endpoints.me.initiate());

    expect(result.error).toMatchObject({ status: 401 });
    expect(store.getState().auth.refreshToken).toBe('refresh-1');
  });

  it('never refreshes for a failed login', async () => {
    const { seen } = fakeAuthServer();
    server.use(
      http.post(`${API}/auth/login`, () =>
        HttpResponse.json(apiError('invalid_credentials', 'Wrong username or password', 'password'), { status: 401 }),
      ),
    );
    const store = makeStore(signedIn('access-1', 'refresh-1'));

    const result = await store.dispatch(authApi.endpoints.login.initiate({ username: 'a', password: 'b' }));

    expect(result.error).toMatchObject({ status: 401 });
    expect(seen.refresh).toHaveLength(0);
    expect(store.getState().auth.refreshToken).toBe('refresh-1');
  });
});
