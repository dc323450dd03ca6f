import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, admin, apiError } from '../../test/fixtures';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';

const formItem = (label: string) => screen.getByLabelText(label).closest('.ant-form-item') as HTMLElement;
const viewer = { ...admin, id: 2, username: 'vic', role: 'viewer' as const, last_login_at: null, permissions: ['account:self'] };

describe('SettingsPage', () => {
  it('hides the admin tabs from other roles and shows the password error on its field', async () => {
    let sent: unknown = null;
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(viewer)),
      http.post(`${API}/auth/password`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json(apiError('wrong_password', 'The current password is not right', 'body.current_password'), {
          status: 400,
        });
      }),
    );
    const { user } = renderApp('/settings?tab=password', signedIn());

    await screen.findByRole('tab', { name: 'Password' });
    expect(screen.queryByRole('tab', { name: 'Users' })).toBeNull();
    expect(screen.queryByRole('tab', { name: 'Audit log' })).toBeNull();

    await user.type(screen.getByLabelText('Current password'), 'old-one');
    await user.type(screen.getByLabelText('New password'), 'new-password');
    await user.type(screen.getByLabelText('Confirm new password'), 'new-password');
    await user.click(screen.getByRole('button', { name: 'Change password' }));

    expect(await within(formItem('Current password')).findByText('The current password is not right')).toBeInTheDocument();
    expect(sent).toEqual({ current_password: 'old-one', new_password: 'new-password' });
  });

  it('lists users for an admin and shows a create error on the field the API names', async () => {
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(admin)),
      http.get(`${API}/users`, ({ request }) => {
        const url = new URL(request.url);
        expect(url.searchParams.get('offset')).toBe('0');
        return HttpResponse.json({ data: [admin, viewer], count: 2 });
      }),
      http.post(`${API}/users`, () =>
        HttpResponse.json(apiError('conflict', 'A user named vic already exists', 'body.username'), { status: 409 }),
      ),
    );
    const { user } = renderApp('/settings?tab=users', signedIn());

    expect(await screen.findByText('vic')).toBeInTheDocument();
    expect(screen.getByRole('switch', { name: 'Active admin' })).toBeDisabled(); // yourself
    expect(screen.getByRole('switch', { name: 'Active vic' })).toBeEnabled();

    await user.click(screen.getByRole('button', { name: /New user/ }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Username'), 'vic');
    await user.type(within(dialog).getByLabelText('Initial password'), 'long-enough');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));

    const usernameItem = within(dialog).getByLabelText('Username').closest('.ant-form-item') as HTMLElement;
    expect(await within(usernameItem).findByText('A user named vic already exists')).toBeInTheDocument();
  });

  it('signs out after a password change, since the server ended every session', async () => {
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(viewer)),
      http.post(`${API}/auth/password`, () => new HttpResponse(null, { status: 204 })),
    );
    const { user, router, store } = renderApp('/settings?tab=password', signedIn());

    await user.type(await screen.findByLabelText('Current password'), 'old-one');
    await user.type(screen.getByLabelText('New password'), 'new-password');
    await user.type(screen.getByLabelText('Confirm new password'), 'new-password');
    await user.click(screen.getByRole('button', { name: 'Change password' }));

    expect(await screen.findByText('Password changed. Your personal API tokens were revoked; sign in again with the new password and create new tokens.')).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.pathname).toBe('/login'));
    expect(store.getState().auth.refreshToken).toBeNull();
  });

  it('shows every problem of a validation error under its own field', async () => {
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(admin)),
      http.get(`${API}/users`, () => HttpResponse.json({ data: [admin], count: 1 })),
      http.post(`${API}/users`, () =>
        HttpResponse.json(
          {
            error: {
              code: 'validation_error',
              message: 'username: taken; password: too weak',
              param: 'username',
              errors: [
                { param: 'username', message: 'username is taken' },
                { param: 'password', message: 'password is too weak' },
              ],
            },
          },
          { status: 422 },
        ),
      ),
    );
    const { user } = renderApp('/settings?tab=users', signedIn());

    await user.click(await screen.findByRole('button', { name: /New user/ }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Username'), 'vic');
    await user.type(within(dialog).getByLabelText('Initial password'), 'long-enough');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));

    const item = (label: string) => within(dialog).getByLabelText(label).closest('.ant-form-item') as HTMLElement;
    expect(await within(item('Username')).findByText('username is taken')).toBeInTheDocument();
    expect(within(item('Initial password')).getByText('password is too weak')).toBeInTheDocument();
  });

  it('shows the audit trail with actor, target and address', async () => {
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(admin)),
      http.get(`${API}/audit`, ({ request }) => {
        expect(new URL(request.url).searchParams.get('limit')).toBe('50');
        const event = { created_at: '2025-01-02T03:04:05Z', detail: { via: 'api' } };
        return HttpResponse.json({
          data: [
            { ...event, id: 2, action: 'user.created', actor_id: 1, actor_username: 'admin', target_type: 'user', target_id: '2', client_address: '10.0.0.7' },
            { ...event, id: 1, action: 'user.bootstrap', actor_id: null, actor_username: null, target_type: null, target_id: null, client_address: null },
          ],
          count: 2,
        });
      }),
    );
    renderApp('/settings?tab=audit', signedIn());

    const created = (await screen.findByText('user.created')).closest('tr') as HTMLElement;
    expect(within(created).getByText('admin')).toBeInTheDocument();
    expect(within(created).getByText('user #2')).toBeInTheDocument();
    expect(within(created).getByText('10.0.0.7')).toBeInTheDocument();
    const bootstrap = screen.getByText('user.bootstrap').closest('tr') as HTMLElement;
    expect(within(bootstrap).getByText('system')).toBeInTheDocument();
  });

  it('filters the audit trail by user and action', async () => {
    const asked: URLSearchParams[] = [];
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(admin)),
      http.get(`${API}/audit`, ({ request }) => {
        const query = new URL(request.url).searchParams;
        asked.push(query);
        const action = query.get('action') ?? 'user.created';
        const row = { id: 1, created_at: '2025-01-02T03:04:05Z', detail: {}, action, actor_id: 2, actor_username: 'eng', target_type: null, target_id: null, client_address: null };
        return HttpResponse.json({ data: [row], count: 1 });
      }),
    );
    const { user } = renderApp('/settings?tab=audit', signedIn());
    await screen.findByText('user.created', undefined, { timeout: 10_000 });

    await user.type(screen.getByRole('searchbox', { name: 'User' }), 'eng{Enter}');
    await user.type(screen.getByRole('searchbox', { name: 'Action' }), 'job.{Enter}');
    expect(await screen.findByText('job.', undefined, { timeout: 10_000 })).toBeInTheDocument();
    const last = asked[asked.length - 1] as URLSearchParams;
    expect([last.get('user'), last.get('action'), last.get('offset')]).toEqual(['eng', 'job.', '0']);
  });
});
