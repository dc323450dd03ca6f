import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { API, apiError, engineer, fullAdmin } from '../../test/fixtures';
import { adapter, baseModel, page } from '../../test/models';
import { trainingDataset } from '../../test/registryFixtures';
import { makeJob } from '../jobs/testData';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';

const base = baseModel();
const v2 = adapter();
const v1 = adapter({ id: 'mdl_pirate1', version: 1, job_id: 5, created_at: '2025-02-01T00:00:00Z' });

/** GET /models filtered by kind (and base model), GET /models/{id}, like the API. */
function registry(models = [base, v2, v1]) {
  return [
    http.get(`${API}/models`, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const kind = query.get('kind');
      const baseId = query.get('base_model_id');
      return HttpResponse.json(page(models.filter((m) => (!kind || m.kind === kind) && (!baseId || m.base_model_id === baseId))));
    }),
    http.get(`${API}/models/:id`, ({ params }) => {
      const model = models.find((m) => m.id === params.id);
      return model ? HttpResponse.json(model) : HttpResponse.json(apiError('not_found', `no model with id ${String(params.id)}`, 'id'), { status: 404 });
    }),
    http.get(`${API}/datasets/ds_1`, () => HttpResponse.json(trainingDataset)),
    http.get(`${API}/models/:id/exports`, () => HttpResponse.json({ data: [ggufExport], count: 1 })),
  ];
}

const ggufExport = {
  id: 'exp_1', model_id: 'mdl_pirate2', base_model_id: 'mdl_base1', job_id: 9, owner_id: engineer.id,
  format: 'gguf', quantization: 'q8_0', primary_file: 'model-q8_0.gguf', size_bytes: 145_000_000,
  sha256: 'ab'.repeat(32), created_at: '2025-03-01T00:00:00Z',
  files: [{ name: 'Modelfile', size: 201, sha256: 'cd'.repeat(32) }, { name: 'model-q8_0.gguf', size: 145_000_000, sha256: 'ab'.repeat(32) }],
  verification: { tokens: 12, equal_prefix: 12, equal: true },
};

describe('ModelsPage', () => {
  afterEach(() => vi.restoreAllMocks());

  it('warns on an adapter whose run learned but forgot', async () => {
    const sentence = 'Learned: exact match 75%. Lost: the forgetting score stayed over 0.15.';
    const forgot = adapter({ outcome: 'forgot', outcome_message: sentence });
    server.use(http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)), ...registry([base, forgot]));
    renderApp('/models?selected=mdl_pirate2', signedIn());
    const drawer = await screen.findByRole('dialog');
    const alert = await within(drawer).findByRole('alert');
    expect(within(alert).getByText('This adapter learned, but forgot some of what the base model knew')).toBeInTheDocument();
    expect(within(alert).getByText(sentence)).toBeInTheDocument();
  });

  it('shows a flagged import with its probe job, and runs the probes again', async () => {
    const probes = { unsafe: true, outcome_message: 'The refusal rate dropped from 100% to 0%.', totals: { refused: { base: { rate: 1 }, tuned: { rate: 0 } } } };
    const flagged = adapter({
      owner_id: engineer.id, job_id: null, import_status: 'flagged',
      import_report: { scan: { passed: true }, probes, probe_job_id: 12 },
    });
    const models = [base, flagged];
    let reprobed = 0;
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
      http.post(`${API}/models/:id/reprobe`, ({ params }) => {
        reprobed += 1;
        expect(params.id).toBe(flagged.id);
        models[1] = { ...flagged, import_status: 'probing', import_report: { scan: { passed: true }, probe_job_id: 13 } };
        return HttpResponse.json(models[1]);
      }),
      ...registry(models),
    );
    const { user } = renderApp('/models?selected=mdl_pirate2', signedIn());
    const drawer = await screen.findByRole('dialog');
    const checks = await within(drawer).findByRole('region', { name: 'Import checks' });
    expect(within(checks).getByText('Flagged: held back')).toBeInTheDocument();
    expect(within(checks).getByRole('link', { name: 'Job #12' })).toHaveAttribute('href', '/jobs/12');
    expect(within(checks).getByText('The refusal rate dropped from 100% to 0%.')).toBeInTheDocument();

    await user.click(within(checks).getByRole('button', { name: 'Run the probes again' }));
    await waitFor(() => expect(reprobed).toBe(1));
    expect(await within(checks).findByText('Probing')).toBeInTheDocument();
    expect(within(checks).getByRole('link', { name: 'Job #13' })).toHaveAttribute('href', '/jobs/13');
    expect(within(checks).queryByRole('button', { name: 'Run the probes again' })).toBeNull();
  });

  it('groups adapter versions by name and shows an adapter lineage in the drawer', async () => {
    server.use(http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)), ...registry());
    const { user, router } = renderApp('/models', signedIn());

    const table = await screen.findByRole('table', { name: 'Adapters' });
    const row = (await within(table).findByText('pirate')).closest('tr') as HTMLElement;
    expect(within(row).getByRole('button', { name: 'pirate v1' })).toBeInTheDocument();
    expect(within(row).getByText('Qwen2.5-0.5B-Instruct v1')).toBeInTheDocument();
    expect(within(row).getByText('1.456')).toBeInTheDocument();
    // Engineers do not see the administrators' registration button.
    expect(screen.queryByRole('button', { name: /Register base model/ })).toBeNull();

    await user.click(within(row).getByRole('button', { name: 'pirate v2' }));
    expect(router.state.location.search).toBe('?selected=mdl_pirate2');
    const drawer = await screen.findByRole('dialog');
    const lineage = await within(drawer).findByRole('region', { name: 'Lineage' });
    expect(within(lineage).getByRole('link', { name: 'Qwen2.5-0.5B-Instruct v1' })).toHaveAttribute('href', '/models?selected=mdl_base1');
    expect(await within(lineage).findByRole('link', { name: 'Pirate chat' })).toHaveAttribute('href', '/datasets?selected=ds_1');
    expect(within(lineage).getByText(v2.dataset_sha256 as string)).toBeInTheDocument();
    expect(within(lineage).getByRole('link', { name: 'Job #7' })).toHaveAttribute('href', '/jobs/7');

    const exported = within(drawer).getByRole('region', { name: 'Export' });
    expect(await within(exported).findByText('llama.cpp: 12/12 tokens as transformers')).toBeInTheDocument();
    expect(within(exported).getByRole('button', { name: /model-q8_0.gguf/ })).toBeInTheDocument();
    expect(within(exported).getByRole('button', { name: 'Modelfile' })).toBeInTheDocument();

    const cf = within(drawer).getByRole('region', { name: 'Forgetting (CF) report' });
    expect(within(cf).getByText('0.2 · above the warning threshold')).toBeInTheDocument();
    expect(within(cf).getByText('0.5')).toBeInTheDocument(); // the stop threshold
    const explained = within(cf).getByRole('region', { name: 'What the forgetting score means' });
    expect(within(explained).getByText(/compares this model with its base model on general text/)).toBeInTheDocument();
    expect(within(explained).getByText(/predicts general text 8% worse than the base model \(perplexity ratio 1.08\)/)).toBeInTheDocument();
    expect(within(explained).getByText(/What to change:/)).toBeInTheDocument();

    const evaluation = within(drawer).getByRole('region', { name: 'Before / after evaluation' });
    expect(within(evaluation).getByText('0 of 4 → 3 of 4')).toBeInTheDocument();
    expect(within(evaluation).getByText('27 of 30 the base got right (90%)')).toBeInTheDocument();
    expect(within(evaluation).getByText('90% → 85%')).toBeInTheDocument();
    expect(within(evaluation).getByRole('link', { name: 'All answers on job #7' })).toHaveAttribute('href', '/jobs/7?tab=evaluation');

    const spec = within(drawer).getByRole('region', { name: 'Training spec' });
    expect(within(spec).getByText('q_proj, k_proj, v_proj')).toBeInTheDocument();
    expect(within(spec).queryByText(/"output_dir"/)).toBeNull(); // folded
    await user.click(within(spec).getByRole('button', { name: /Resolved spec/ }));
    expect(await within(spec).findByText(/"output_dir": "\/data\/jobs\/7"/)).toBeInTheDocument();

    await user.click(within(drawer).getByRole('button', { name: /Try in playground/ }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/playground'));
    expect(router.state.location.search).toBe('?model=mdl_pirate2');
  });

  it('queues an export of an adapter and follows its job', async () => {
    const posted: unknown[] = [];
    const job = { ...makeJob({ id: 9, name: 'export pirate v2 gguf-q8_0', kind: 'export', status: 'running' }), progress: { step: 1, total_steps: 4, stage: 'convert', epoch: null, fraction: 0.25, eta_s: null } };
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
      ...registry(),
      http.post(`${API}/models/:id/exports`, async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json(job, { status: 201 });
      }),
      http.get(`${API}/jobs/9`, () => HttpResponse.json(job)),
    );
    const { user } = renderApp('/models?selected=mdl_pirate2', signedIn());
    const exported = await screen.findByRole('region', { name: 'Export' });
    await user.click(within(exported).getByRole('button', { name: /Export$/ }));
    await waitFor(() => expect(posted).toEqual([{ format: 'gguf', quantization: 'q8_0' }]));
    expect(await within(exported).findByText(/running · converting/)).toBeInTheDocument();
    expect(within(exported).getByRole('link', { name: 'export pirate v2 gguf-q8_0' })).toHaveAttribute('href', '/jobs/9');
  });

  it('opens a deep-linked base model and shows why it cannot be deleted', async () => {
    let deleted = '';
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(fullAdmin)),
      ...registry(),
      http.delete(`${API}/models/:id`, ({ params }) => {
        deleted = String(params.id);
        return HttpResponse.json(apiError('conflict', '2 adapter(s) were trained on model mdl_base1; delete them first', 'id'), { status: 409 });
      }),
    );
    const { user } = renderApp('/models?selected=mdl_base1', signedIn());

    const drawer = await screen.findByRole('dialog');
    const facts = await within(drawer).findByRole('region', { name: 'Facts' });
    expect(within(facts).getByText('qwen2')).toBeInTheDocument();
    expect(within(facts).getByText('494M')).toBeInTheDocument();
    const trained = within(drawer).getByRole('region', { name: 'Adapters trained on it' });
    expect(await within(trained).findByRole('link', { name: 'pirate v2' })).toBeInTheDocument();
    expect(within(drawer).queryByRole('button', { name: /Download/ })).toBeNull(); // base models are not downloadable

    await user.click(within(drawer).getByRole('button', { name: /Delete/ }));
    // (Under test antd gives every element id the value test-id, so the dialog's name cannot be looked up.)
    const confirm = (await screen.findByText('Delete Qwen2.5-0.5B-Instruct v1?', { selector: '.ant-modal-confirm-title' })).closest('.ant-modal') as HTMLElement;
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));

    expect(await within(drawer).findByText('2 adapter(s) were trained on model mdl_base1; delete them first')).toBeInTheDocument();
    expect(deleted).toBe('mdl_base1');
  });

  it('shows a registration error next to the path field', async () => {
    let sent: unknown = null;
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(fullAdmin)),
      ...registry([]),
      http.post(`${API}/models`, async ({ request }) => {
        sent = await request.json();
        return HttpResponse.json(apiError('validation_failed', '/srv/nope does not exist on the server', 'path'), { status: 422 });
      }),
    );
    const { user } = renderApp('/models', signedIn());

    expect(await screen.findByText('No models yet')).toBeInTheDocument();
    await user.click(screen.getAllByRole('button', { name: /Register base model/ })[0] as HTMLElement);
    const dialog = await screen.findByRole('dialog'); // (under test every antd id is test-id: no name lookup)
    expect(within(dialog).getByText('Register a base model')).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText('Server path'), '/srv/nope');
    await user.click(within(dialog).getByRole('button', { name: 'Register' }));

    const item = within(dialog).getByLabelText('Server path').closest('.ant-form-item') as HTMLElement;
    expect(await within(item).findByText('/srv/nope does not exist on the server')).toBeInTheDocument();
    expect(sent).toEqual({ path: '/srv/nope', name: null, visibility: 'shared' });
  });

  it('downloads an adapter zip with the token and shows its progress', async () => {
    const zip = new Uint8Array(2048).fill(7);
    let push!: (bytes: Uint8Array | null) => void;
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
      ...registry(),
      http.get(`${API}/models/:id/download`, ({ request, params }) => {
        expect(params.id).toBe('mdl_pirate2');
        expect(request.headers.get('Authorization')).toBe('Bearer access-1');
        const body = new ReadableStream<Uint8Array>({
          start: (controller) => void (push = (bytes) => (bytes ? controller.enqueue(bytes) : controller.close())),
        });
        const disposition = `attachment; filename="pirate-demo-v2.zip"; filename*=UTF-8''pirate%20%C2%B7%20demo-v2.zip`;
        return new HttpResponse(body, {
          headers: { 'Content-Type': 'application/zip', 'Content-Length': String(zip.byteLength), 'Content-Disposition': disposition },
        });
      }),
    );
    const saved: { name: string; blob: Blob }[] = [];
    let blob: Blob | null = null;
    // jsdom has no object URLs and cannot follow a download link; the browser would save the file.
    URL.createObjectURL = (object: Blob | MediaSource) => ((blob = object as Blob), 'blob:zip');
    URL.revokeObjectURL = () => undefined;
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      if (blob) saved.push({ name: this.download, blob });
    });
    const { user } = renderApp('/models?selected=mdl_pirate2', signedIn());

    const drawer = await screen.findByRole('dialog');
    await user.click(await within(drawer).findByRole('button', { name: /Download zip/ }));
    await waitFor(() => expect(push).toBeDefined());
    push(zip.slice(0, 1024));
    const progress = await within(drawer).findByRole('progressbar', { name: 'Download progress' });
    await waitFor(() => expect(progress).toHaveAttribute('aria-valuenow', '50'));
    push(zip.slice(1024));
    push(null);

    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]?.name).toBe('pirate-demo-v2.zip'); // the server's ASCII name, not the Unicode one
    expect(saved[0]?.blob.size).toBe(2048);
    expect(await within(drawer).findByRole('button', { name: /Download zip/ })).toBeInTheDocument();
  });
});
