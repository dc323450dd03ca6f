import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Schemas } from '../../api/types';
import { API, admin, apiError } from '../../test/fixtures';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';

type Token = Schemas['ApiTokenPublic'];
const SECRET = 'et_pat_Zx81q2w3e4r5t6y7u8i9o0pAsDfGhJkLmNbVcXz1234';
const PREFIX_SHOWN = 'et_pat_'.length + 4; // as the server shows it

const existing: Token = {
  id: 1,
  name: 'nightly-eval',
  prefix: 'et_pat_Ab12',
  created_at: '2025-01-02T03:04:05Z',
  expires_at: '2099-04-02T03:04:05Z',
  last_used_at: '2025-01-05T08:00:00Z',
  revoked_at: null,
};

/** /auth/tokens with state, as the server keeps it: revoked tokens stay listed with revoked_at. */
function tokenApi() {
  const tokens: Token[] = [existing];
  const sent: unknown[] = [];
  server.use(
    http.get(`${API}/auth/me`, () => HttpResponse.json(admin)),
    http.get(`${API}/auth/tokens`, () => HttpResponse.json({ data: [...tokens].reverse(), count: tokens.length })),
    http.post(`${API}/auth/tokens`, async ({ request }) => {
      const body = (await request.json()) as { name: string; expires_in_days: number };
      sent.push(body);
      if (body.expires_in_days > 365) {
        return HttpResponse.json(apiError('validation_failed', 'expires_in_days must be at most 365 (EASYTUNE_API_TOKEN_MAX_DAYS)', 'expires_in_days'), { status: 422 });
      }
      const token: Token = { ...existing, id: 2, name: body.name, prefix: SECRET.slice(0, PREFIX_SHOWN), created_at: '2025-03-01T00:00:00Z', last_used_at: null };
      tokens.push(token);
      return HttpResponse.json({ ...token, token: SECRET }, { status: 201 });
    }),
    http.delete(`${API}/auth/tokens/:id`, ({ params }) => {
      const token = tokens.find((t) => t.id === Number(params.id));
      if (!token) return HttpResponse.json(apiError('not_found', `no API token with id ${String(params.id)}`, 'id'), { status: 404 });
      token.revoked_at = '2025-03-02T00:00:00Z';
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return sent;
}

describe('TokensTab', () => {
  it('shows a new token once, with a copy button, and never again', async () => {
    const sent = tokenApi();
    const { user } = renderApp('/settings?tab=tokens', signedIn());

    const table = await screen.findByRole('table', { name: 'Your API tokens' });
    expect(await within(table).findByText('nightly-eval')).toBeInTheDocument();
    expect(within(table).getByText('et_pat_Ab12…')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: /New token/ }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Name'), 'ci-pipeline');
    await user.clear(within(dialog).getByLabelText('Expires in (days)'));
    await user.type(within(dialog).getByLabelText('Expires in (days)'), '400');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    const days = within(dialog).getByLabelText('Expires in (days)').closest('.ant-form-item') as HTMLElement;
    expect(await within(days).findByText('expires_in_days must be at most 365 (EASYTUNE_API_TOKEN_MAX_DAYS)')).toBeInTheDocument();

    await user.clear(within(dialog).getByLabelText('Expires in (days)'));
    await user.type(within(dialog).getByLabelText('Expires in (days)'), '30');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));

    const secret = await within(dialog).findByRole('textbox', { name: 'New API token' });
    expect(secret).toHaveValue(SECRET);
    expect(within(dialog).getByText('Copy this token now')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: /Copy/ }));
    expect(await within(dialog).findByRole('button', { name: /Copied/ })).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(SECRET);
    expect(sent).toEqual([
      { name: 'ci-pipeline', expires_in_days: 400 },
      { name: 'ci-pipeline', expires_in_days: 30 },
    ]);

    await user.click(within(dialog).getByRole('button', { name: 'I have copied it' }));
    expect(await within(table).findByText('ci-pipeline')).toBeInTheDocument();
    expect(within(table).getByText(`${SECRET.slice(0, PREFIX_SHOWN)}…`)).toBeInTheDocument();
    // Opened again, the dialog asks for a new token: the secret was dropped when it closed.
    await user.click(screen.getByRole('button', { name: /New token/ }));
    expect(await within(dialog).findByLabelText('Name')).toHaveValue('');
    expect(screen.queryByDisplayValue(SECRET)).toBeNull();
    expect(screen.queryByText(SECRET, { exact: false })).toBeNull();
  });

  it('revokes a token after confirmation and hides it unless revoked tokens are shown', async () => {
    tokenApi();
    const { user } = renderApp('/settings?tab=tokens', signedIn());

    const table = await screen.findByRole('table', { name: 'Your API tokens' });
    await user.click(await within(table).findByRole('button', { name: 'Revoke nightly-eval' }));
    const confirm = (await screen.findByText('Revoke nightly-eval?', { selector: '.ant-modal-confirm-title' })).closest('.ant-modal') as HTMLElement;
    await user.click(within(confirm).getByRole('button', { name: 'Revoke' }));
    expect(await screen.findByText('Token nightly-eval revoked')).toBeInTheDocument();

    await waitFor(() => expect(within(table).queryByText('nightly-eval')).toBeNull());
    expect(within(table).getByText('No API tokens yet. Create one for a script or a CI pipeline.')).toBeInTheDocument();

    await user.click(await screen.findByRole('switch', { name: 'Show revoked tokens' }));
    const row = (await within(table).findByText('nightly-eval')).closest('tr') as HTMLElement;
    expect(within(row).getByText('Revoked')).toBeInTheDocument();
    expect(within(row).queryByRole('button', { name: /Revoke/ })).toBeNull();
  });
});
