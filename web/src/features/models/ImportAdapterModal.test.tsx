import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { API, apiError, engineer } from '../../test/fixtures';
import { adapter, baseModel, page } from '../../test/models';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';

const base = baseModel();

function models() {
  return [
    http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
    http.get(`${API}/models`, ({ request }) => {
      const kind = new URL(request.url).searchParams.get('kind');
      return HttpResponse.json(page(kind === 'adapter' ? [] : [base]));
    }),
  ];
}

async function fillAndSubmit(user: ReturnType<typeof renderApp>['user']) {
  await user.click(await screen.findByRole('button', { name: /Import adapter/ }, { timeout: 10_000 }));
  const dialog = await screen.findByRole('dialog');
  await user.type(within(dialog).getByLabelText('Name'), 'pirate import');
  await user.click(within(dialog).getByRole('combobox'));
  const options = await screen.findAllByText(`${base.name} v${base.version}`);
  await user.click(options[options.length - 1] as HTMLElement);
  const input = dialog.querySelector('input[type=file]') as HTMLInputElement;
  await user.upload(input, new File([new Uint8Array([80, 75, 3, 4])], 'adapter.zip', { type: 'application/zip' }));
  await user.click(within(dialog).getByRole('button', { name: 'Import and scan' }));
  return dialog;
}

describe('ImportAdapterModal', () => {
  it('lists every reason the scan refused an adapter', async () => {
    let sent: FormData | null = null;
    const refused = {
      error: {
        ...apiError('adapter_refused', 'the adapter was refused by the scan (pickle_file)', 'file').error,
        errors: [
          { code: 'pickle_file', message: 'adapter_model.bin is a pickle-based weight file', where: 'adapter_model.bin' },
          { code: 'update_too_large', message: 'q_proj: the update is 900 times the base weight', where: 'q_proj' },
        ],
      },
    };
    server.use(
      ...models(),
      http.post(`${API}/models/import`, async ({ request }) => {
        sent = await request.formData();
        return HttpResponse.json(refused, { status: 422 });
      }),
    );
    const { user } = renderApp('/models', signedIn());
    const dialog = await fillAndSubmit(user);

    const status = await within(dialog).findByRole('status', undefined, { timeout: 10_000 });
    expect(within(status).getByText('The scan refused this adapter; nothing was stored')).toBeInTheDocument();
    const reasons = within(status).getByRole('list', { name: 'Reasons' });
    expect(within(reasons).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'adapter_model.bin is a pickle-based weight file',
      'q_proj: the update is 900 times the base weight',
    ]);
    const form = sent as FormData | null;
    expect(form?.get('name')).toBe('pirate import');
    expect(form?.get('base_model_id')).toBe(base.id);
    expect(form?.has('file')).toBe(true); // (jsdom's multipart round trip does not keep the bytes)
  });

  it('shows a passed scan and that the probes run before the adapter is usable', async () => {
    const imported = adapter({ id: 'mdl_imp', name: 'pirate import', version: 1, job_id: null, import_status: 'probing', import_report: { scan: { passed: true } } });
    server.use(...models(), http.post(`${API}/models/import`, () => HttpResponse.json(imported, { status: 201 })));
    const { user } = renderApp('/models', signedIn());
    const dialog = await fillAndSubmit(user);

    const status = await within(dialog).findByRole('status', undefined, { timeout: 10_000 });
    expect(within(status).getByText('Scan passed: pirate import v1 is registered')).toBeInTheDocument();
    expect(within(status).getByText(/safety and general probes run as a queued job/)).toBeInTheDocument();
  });
});
