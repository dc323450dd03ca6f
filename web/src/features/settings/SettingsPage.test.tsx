import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, admin, apiError } from '../../test/fixtures';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';

const formItem = (label: string) => screen.getByLabelText(label).closest('.ant-form-item') as HTMLElement;
const viewer = { ...admin, id: 2, username: 'vic', role: 'viewer' as const };

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
        return HttpResponse.json({ items: [admin, viewer], total: 2 });
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
});
