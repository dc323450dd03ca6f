import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, admin, apiError, tokens } from '../../test/fixtures';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';
import { safeNext } from './next';

/** The antd form item (label, input, messages) that holds the input labelled `label`. */
const formItem = (label: string) => screen.getByLabelText(label).closest('.ant-form-item') as HTMLElement;

async function submitLogin(user: ReturnType<typeof renderApp>['user'], username = 'admin', password = 'secret') {
  await user.type(screen.getByLabelText('Username'), username);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('LoginPage', () => {
  it('shows the API error under the field named by its param', async () => {
    server.use(
      http.post(`${API}/auth/login`, () =>
        HttpResponse.json(apiError('invalid_credentials', 'Wrong password for this user', 'body.password'), {
          status: 401,
        }),
      ),
    );
    const { user } = renderApp('/login');

    await submitLogin(user);

    expect(await within(formItem('Password')).findByText('Wrong password for this user')).toBeInTheDocument();
    expect(within(formItem('Username')).queryByText('Wrong password for this user')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows an error that names no field above the form', async () => {
    server.use(
      http.post(`${API}/auth/login`, () =>
        HttpResponse.json(apiError('too_many_attempts', 'Too many attempts; wait a minute'), { status: 429 }),
      ),
    );
    const { user } = renderApp('/login');

    await submitLogin(user);

    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts; wait a minute');
  });

  it('signs in and returns to the page in `next`', async () => {
    let sent: unknown = null;
    server.use(
      http.post(`${API}/auth/login`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json(tokens(1));
      }),
      http.get(`${API}/auth/me`, () => HttpResponse.json(admin)),
    );
    const { user, router } = renderApp('/login?next=%2Fsettings%3Ftab%3Dpassword');

    await submitLogin(user, 'admin', 'correct horse');

    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeInTheDocument();
    expect(router.state.location.pathname + router.state.location.search).toBe('/settings?tab=password');
    expect(sent).toEqual({ username: 'admin', password: 'correct horse' });
    expect(window.localStorage.getItem('easytune.refresh_token')).toBe('refresh-1');
  });
});

describe('session end', () => {
  it('sends the user to /login?next=<where they were> when the refresh is refused, and back after', async () => {
    server.use(
      http.get(`${API}/auth/me`, ({ request }) =>
        request.headers.get('Authorization') === 'Bearer access-2'
          ? HttpResponse.json(admin)
          : HttpResponse.json(apiError('token_expired', 'Expired'), { status: 401 }),
      ),
      http.post(`${API}/auth/refresh`, () => HttpResponse.json(apiError('token_revoked', 'Revoked'), { status: 401 })),
      http.post(`${API}/auth/login`, () => HttpResponse.json(tokens(2))),
    );
    const { user, router } = renderApp('/settings?tab=password', signedIn('access-1', 'refresh-1'));

    expect(await screen.findByText('Your session has ended. Sign in again to continue.')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/login');
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/settings?tab=password')}`);

    await submitLogin(user);
    await waitFor(() => expect(router.state.location.pathname).toBe('/settings'));
    expect(await screen.findByRole('heading', { name: 'Settings' })).toBeInTheDocument();
  });

  it('logs out through the API and forgets the session', async () => {
    let revoked: string | null = null;
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(admin)),
      http.get(`${API}/jobs`, () => HttpResponse.json({ data: [], count: 0 })), // the page behind the menu
      http.post(`${API}/auth/logout`, ({ request }) => {
        revoked = request.headers.get('Authorization'); // the server ends this access token's sign-in
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const { user, router, store } = renderApp('/jobs', signedIn('access-1', 'refresh-1'));

    await user.click(await screen.findByRole('button', { name: 'Account' }));
    await user.click(await screen.findByText('Log out'));

    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(router.state.location.search).toBe('');
    expect(revoked).toBe('Bearer access-1');
    expect(store.getState().auth.refreshToken).toBeNull();
    expect(window.localStorage.getItem('easytune.refresh_token')).toBeNull();
  });
});

describe('safeNext', () => {
  it.each([
    ['/jobs/3?tab=logs', '/jobs/3?tab=logs'],
    [null, '/'],
    ['https://evil.example', '/'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['/login?next=/x', '/'],
  ])('%s -> %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});
