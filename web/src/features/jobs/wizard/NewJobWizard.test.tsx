import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Body, Schemas } from '../../../api/types';
import { API, engineer } from '../../../test/fixtures';
import { smolModel } from '../../../test/models';
import { piratePlan, pirateDataset, previewPage, supportDataset } from '../../../test/registryFixtures';
import { renderApp, signedIn } from '../../../test/render';
import { server } from '../../../test/server';

type PlanBody = Body<'/api/v1/intent/plan', 'post'>;
type JobBody = Body<'/api/v1/jobs', 'post'>;

const datasets = [pirateDataset, supportDataset];

/** The registry as the API serves it; returns the `kind` of every GET /models, in order. */
function registry({ models = [smolModel], sets = datasets } = {}) {
  const kinds: (string | null)[] = [];
  server.use(
    http.get(`${API}/auth/me`, () => HttpResponse.json(engineer)),
    http.get(`${API}/models`, ({ request }) => {
      const kind = new URL(request.url).searchParams.get('kind');
      kinds.push(kind);
      const data = models.filter((m) => kind === null || m.kind === kind);
      return HttpResponse.json({ data, count: data.length });
    }),
    http.get(`${API}/models/:id`, ({ params }) => HttpResponse.json(models.find((m) => m.id === params.id))),
    http.get(`${API}/datasets`, () => HttpResponse.json({ data: sets, count: sets.length })),
    http.get(`${API}/datasets/:id`, ({ params }) => HttpResponse.json(sets.find((d) => d.id === params.id))),
    http.get(`${API}/datasets/:id/preview`, () => HttpResponse.json(previewPage)),
  );
  return kinds;
}

const created = (body: JobBody): Schemas['JobCreated'] => ({
  id: 42,
  name: body.name,
  kind: 'train',
  owner_id: engineer.id,
  status: 'queued',
  priority: body.priority ?? 0,
  base_model_id: body.base_model_id,
  dataset_id: body.dataset_id,
  attempt: 0,
  max_attempts: 3,
  spec: piratePlan.spec,
  error: null,
  result: null,
  created_at: '2026-11-28T10:00:00Z',
  queued_at: '2026-11-28T10:00:00Z',
  started_at: null,
  heartbeat_at: null,
  finished_at: null,
  cancel_requested_at: null,
  plan: piratePlan,
});

const next = () => screen.getByRole('button', { name: 'Next' });

describe('NewJobWizard', () => {
  it('walks the four steps, shows why each setting was chosen, launches and opens the job', async () => {
    registry();
    const plans: PlanBody[] = [];
    let launched: JobBody | null = null;
    let opened = false;
    server.use(
      http.post(`${API}/intent/plan`, async ({ request }) => {
        plans.push((await request.json()) as PlanBody);
        return HttpResponse.json(piratePlan);
      }),
      http.post(`${API}/jobs`, async ({ request }) => {
        launched = (await request.json()) as JobBody;
        return HttpResponse.json(created(launched), { status: 201 });
      }),
      // The job page the wizard hands over to.
      http.get(`${API}/jobs/42`, () => {
        opened = true;
        const job: Partial<Schemas['JobCreated']> = created(launched as JobBody);
        delete job.plan; // GET /jobs/{id} is a JobPublic
        return HttpResponse.json(job);
      }),
      http.get(`${API}/jobs/42/metrics`, () => HttpResponse.json({ data: [] })),
      http.get(`${API}/jobs/42/events`, () => HttpResponse.json({ data: [] })),
      http.get(`${API}/jobs/42/checkpoints`, () => HttpResponse.json({ data: [] })),
      http.get(`${API}/jobs/42/stream`, () => new HttpResponse('event: end\ndata: {}\n\n', { headers: { 'Content-Type': 'text/event-stream' } })),
    );
    const { user, router } = renderApp('/jobs/new', signedIn());

    // 1. Base model
    await user.click(await screen.findByRole('radio', { name: 'SmolLM2-135M-Instruct' }));
    expect(screen.getByText('llama')).toBeInTheDocument();
    expect(screen.getByText('134.5M')).toBeInTheDocument();
    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());

    // 2. Dataset: chosen from the list, then its statistics and examples show
    expect(next()).toBeDisabled();
    expect(screen.getByText('Choose or upload a dataset to continue.')).toBeInTheDocument();
    await user.click(screen.getByRole('combobox', { name: 'Dataset' }));
    await user.click(await screen.findByText('Pirate style (demo) — OpenAI chat (messages), 179 examples'));
    expect(await screen.findByText('Median (p50)')).toBeInTheDocument();
    expect(await screen.findByText('How do I take care of a dog?')).toBeInTheDocument();
    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());

    // 3. Intent: the plan, with a reason for each setting
    await user.click(screen.getByLabelText('Goal'));
    await user.paste('talk like a pirate');
    const settings = await screen.findByRole('table', { name: 'Planned settings' });
    const rank = within(settings).getByText('lora.r').closest('tr') as HTMLElement;
    expect(within(rank).getByText('4')).toBeInTheDocument();
    expect(within(rank).getByText(/L1 \(style \/ format\) uses rank 4-8/)).toBeInTheDocument();
    expect(within(settings).getByText(piratePlan.level_reason)).toBeInTheDocument();
    expect(screen.getByText('about 7 min')).toBeInTheDocument();
    expect(screen.getByText('Fits: needs about 2.1 GiB of 12 GiB')).toBeInTheDocument();
    // The few settings a person decides on, named in words, each with its reason; the rest folded.
    const labels = within(settings).getAllByRole('row').slice(1).map((row) => row.querySelector('strong')?.textContent);
    expect(labels).toEqual(['Level', 'What is adapted', 'Rank', 'Epochs', 'Learning rate', 'Forgetting guard: warn above', 'Forgetting guard: stop above']);
    expect(screen.queryByRole('table', { name: 'Other planned settings' })).toBeNull();
    await user.click(screen.getByRole('button', { name: /All other settings/ }));
    const rest = await screen.findByRole('table', { name: 'Other planned settings' });
    const batch = within(rest).getByText('train.batch_size');
    // The name wraps only after a dot (a <wbr>), never inside a word.
    expect(batch.innerHTML).toBe('train.<wbr>batch_size');
    expect(batch).toHaveStyle({ overflowWrap: 'normal', wordBreak: 'keep-all' });
    expect(within(rest).getByText(/the largest useful micro-batch on CPU/)).toBeInTheDocument();
    await waitFor(() => expect(plans.at(-1)?.intent.description).toBe('talk like a pirate'));
    expect(plans.at(-1)).toEqual({
      base_model_id: smolModel.id,
      dataset_id: pirateDataset.id,
      intent: { level: 'auto', description: 'talk like a pirate' },
      overrides: {},
    });
    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());

    // 4. Review; going back keeps what was typed
    const jobName = await screen.findByLabelText('Job name');
    expect(jobName).toHaveValue('SmolLM2-135M-Instruct · Pirate style (demo)');
    expect(screen.getByText('Auto → L1 · Style and format')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Back' }));
    expect(screen.getByLabelText('Goal')).toHaveValue('talk like a pirate');
    await user.click(next());
    await user.clear(await screen.findByLabelText('Job name'));
    await user.type(screen.getByLabelText('Job name'), 'Pirate v1');
    await user.type(screen.getByLabelText('Priority'), '5');
    await user.click(screen.getByRole('button', { name: /Launch job/ }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/jobs/42'));
    await waitFor(() => expect(opened).toBe(true));
    expect(launched).toEqual({
      base_model_id: smolModel.id,
      dataset_id: pirateDataset.id,
      intent: { level: 'auto', description: 'talk like a pirate' },
      overrides: {},
      name: 'Pirate v1',
      priority: 5,
    });
  }, 40_000); // the whole four-step walk: slow on a busy machine

  it('shows an override the API refused next to it, and re-plans when it is fixed', async () => {
    registry();
    server.use(
      http.post(`${API}/intent/plan`, async ({ request }) => {
        const body = (await request.json()) as PlanBody;
        const r = body.overrides?.['lora.r'];
        if (r === -3) {
          const message = 'must be at least 1 (got -3)';
          const detail = { code: 'override.invalid', params: { error: { join: 'semicolon', items: [{ code: 'override.value.ge', params: { ge: 1 } }] }, value: '-3' } };
          return HttpResponse.json(
            {
              error: {
                code: 'invalid_override',
                message: `1 problem in the overrides: lora.r: ${message}`,
                param: 'overrides.lora.r',
                errors: [{ param: 'overrides.lora.r', message, detail }],
              },
            },
            { status: 422 },
          );
        }
        if (r === undefined) return HttpResponse.json(piratePlan);
        const reason = `set by you (was 4 because ${piratePlan.reasons['lora.r']})`;
        const lora = { ...(piratePlan.spec.lora as object), r };
        return HttpResponse.json({ ...piratePlan, spec: { ...piratePlan.spec, lora }, reasons: { ...piratePlan.reasons, 'lora.r': reason } });
      }),
    );
    const { user } = renderApp(`/jobs/new?model=${smolModel.id}&dataset=${pirateDataset.id}`, signedIn());

    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());
    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());
    await screen.findByRole('table', { name: 'Planned settings' });

    await user.click(screen.getByRole('button', { name: /Expert overrides/ }));
    await user.click(await screen.findByRole('button', { name: /Add override/ }));
    await user.click(screen.getByRole('combobox', { name: 'Setting of override 1' }));
    await user.paste('lora.r');
    await user.click(screen.getByRole('textbox', { name: 'Value of lora.r' }));
    await user.paste('-3');

    const row = screen.getByRole('textbox', { name: 'Value of lora.r' }).closest('.ant-form-item') as HTMLElement;
    expect(await within(row).findByText('must be at least 1 (got -3)')).toBeInTheDocument();
    expect(next()).toBeDisabled();
    expect(screen.getByText('Fix the problems above to continue.')).toBeInTheDocument();

    await user.clear(screen.getByRole('textbox', { name: 'Value of lora.r' }));
    await user.paste('8');
    const settings = await screen.findByRole('table', { name: 'Planned settings' });
    const reason = await within(settings).findByText(/^set by you \(was 4 because L1/);
    const rank = reason.closest('tr') as HTMLElement;
    expect(within(rank).getByText('lora.r')).toBeInTheDocument();
    expect(within(rank).getByText('your value')).toBeInTheDocument();
    expect(within(rank).getByText('8')).toBeInTheDocument();
    expect(within(row).queryByText(/must be at least/)).toBeNull();
    await waitFor(() => expect(next()).toBeEnabled());
  });

  it('says an administrator must register a base model when there is none', async () => {
    const kinds = registry({ models: [] });
    const { user, router } = renderApp('/jobs/new', signedIn());

    expect(await screen.findByText('No base model yet')).toBeInTheDocument();
    expect(kinds).toEqual(['base']); // the wizard lists base models only, never adapters
    expect(next()).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Go to models' }));
    expect(router.state.location.pathname).toBe('/models');
  });

  it('offers an upload right in the dataset step when there is no dataset', async () => {
    registry({ sets: [] });
    const { user } = renderApp(`/jobs/new?model=${smolModel.id}`, signedIn());

    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());
    expect(await screen.findByText('You have no datasets yet')).toBeInTheDocument();
    expect(screen.getByLabelText('Dataset file')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Upload and check' })).toBeInTheDocument();
  });

  it('chooses the only base model and the only dataset by itself', async () => {
    registry({ sets: [pirateDataset] });
    server.use(http.post(`${API}/intent/plan`, () => HttpResponse.json(piratePlan)));
    const { user } = renderApp('/jobs/new', signedIn());

    // The only model is chosen once the list has loaded (an effect after the first render).
    const only = await screen.findByRole('radio', { name: 'SmolLM2-135M-Instruct' });
    await waitFor(() => expect(only).toBeChecked());
    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());
    expect(await screen.findByTitle('Pirate style (demo) — OpenAI chat (messages), 179 examples')).toBeInTheDocument();
    await waitFor(() => expect(next()).toBeEnabled());
  });

  it('offers the preference intent only when the dataset holds preference pairs', async () => {
    const pairs = {
      ...supportDataset,
      id: 'ds_pairs0000000000',
      name: 'Preferred answers',
      report: { ...supportDataset.report, kind: 'preference' },
    };
    registry({ sets: [pirateDataset, pairs] });
    const plans: PlanBody[] = [];
    server.use(
      http.post(`${API}/intent/plan`, async ({ request }) => {
        const body = (await request.json()) as PlanBody;
        plans.push(body);
        if (body.intent.level !== 'preference') return HttpResponse.json(piratePlan);
        const spec = piratePlan.spec as Record<string, Record<string, unknown>>;
        return HttpResponse.json({
          ...piratePlan,
          level: 'preference',
          spec: { ...spec, train: { ...spec.train, method: 'dpo' }, preference: { beta: 0.1, gamma: 0.5 } },
          reasons: { ...piratePlan.reasons, 'train.method': 'DPO on the pairs', 'preference.beta': '0.1, the usual DPO strength' },
        });
      }),
    );
    const { user } = renderApp(`/jobs/new?model=${smolModel.id}&dataset=${pairs.id}`, signedIn());
    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());
    expect(await screen.findByText('Preference pairs (chosen and rejected answers)')).toBeInTheDocument();
    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());

    const preference = await screen.findByRole('radio', { name: 'Preference · Prefer answers like these' });
    await user.click(preference);
    await waitFor(() => expect(plans.at(-1)?.intent.level).toBe('preference'));
    // The method and its beta lead the key settings of a preference plan.
    const settings = await screen.findByRole('table', { name: 'Planned settings' });
    const method = (await within(settings).findByText('DPO on the pairs')).closest('tr') as HTMLElement;
    expect(within(method).getByText('Method')).toBeInTheDocument();
    expect(within(method).getByText('dpo')).toBeInTheDocument();
    expect(within(settings).getByText('Preference strength (beta)')).toBeInTheDocument();

    // Back to the dataset step: a chat dataset has no pairs, so the intent is offered no more.
    await user.click(screen.getByRole('button', { name: 'Back' }));
    await user.click(screen.getByRole('combobox', { name: 'Dataset' }));
    await user.click(await screen.findByText('Pirate style (demo) — OpenAI chat (messages), 179 examples'));
    await waitFor(() => expect(next()).toBeEnabled());
    await user.click(next());
    expect(await screen.findByRole('radio', { name: 'L1 · Style and format' })).toBeInTheDocument();
    expect(screen.queryByRole('radio', { name: 'Preference · Prefer answers like these' })).toBeNull();
    await waitFor(() => expect(plans.at(-1)?.intent.level).toBe('auto'));
  });
});
