import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { API } from '../../test/fixtures';
import { renderApp, signedIn } from '../../test/render';
import { server } from '../../test/server';
import { adminMe, userOf, baseModel, checkpoint, dataset, frame, makeEvent, makeJob, makeMetric, sseBody } from './testData';
import { echarts } from './charts/echarts';
import type { Job } from './status';

// jsdom has no canvas; ECharts then estimates text widths itself (instead of jsdom printing
// "not implemented" for every label it measures).
beforeEach(() => {
  vi.spyOn(HTMLCanvasElement.prototype, 'getContext').mockReturnValue(null);
});

/** The series data the ECharts instance inside a chart (found by its accessible name) really holds. */
function chartSeries(name: RegExp): unknown[][] {
  const chart = echarts.getInstanceByDom(screen.getByRole('img', { name }).firstElementChild as HTMLElement);
  const option = chart?.getOption() as { series: { data: unknown[] }[] } | undefined;
  return option?.series.map((series) => series.data) ?? [];
}

/** The API of one job: its row (changing with `state.job`), snapshot rows, names, and a stream. */
function serveJob(state: { job: Job }, stream: () => Response) {
  const streamHeaders: (string | null)[] = [];
  server.use(
    http.get(`${API}/auth/me`, () => HttpResponse.json(adminMe)),
    http.get(`${API}/users`, () => HttpResponse.json({ data: [adminUser], count: 1 })),
    http.get(`${API}/jobs/7`, () => HttpResponse.json(state.job)),
    http.get(`${API}/jobs/7/metrics`, () => HttpResponse.json({ data: [makeMetric(1, { loss: 2.5, lr: 1e-4, tokens_per_s: 800 })] })),
    http.get(`${API}/jobs/7/events`, () =>
      HttpResponse.json({ data: [makeEvent(1, 'queued'), makeEvent(2, 'training started', { data: { total_steps: 4 } })] }),
    ),
    http.get(`${API}/jobs/7/checkpoints`, () => HttpResponse.json({ data: [] })),
    http.get(`${API}/models/mdl_base`, () => HttpResponse.json(baseModel)),
    http.get(`${API}/datasets/ds_pirate`, () => HttpResponse.json(dataset)),
    http.get(`${API}/jobs/7/stream`, ({ request }) => {
      streamHeaders.push(request.headers.get('Last-Event-ID'));
      return stream();
    }),
  );
  return { streamHeaders };
}

const adminUser = userOf(adminMe);

const eventStream = (body: ReadableStream<Uint8Array>) =>
  new HttpResponse(body, { headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' } });

describe('JobDetailPage', () => {
  it('fills the charts and the latest numbers from the live stream, then reads the finished job', async () => {
    const state = { job: makeJob() };
    const { streamHeaders } = serveJob(state, () => {
      // The job finishes while the stream sends its last rows; `end` comes after them.
      state.job = makeJob({ status: 'succeeded', finished_at: '2025-03-01T10:05:00Z', result: { adapter_model_id: 'mdl_adapter' } });
      return eventStream(
        sseBody([
          'retry: 2000\n\n',
          frame('2.1', 'metric', { ...makeMetric(1, { loss: 2.5, lr: 1e-4, tokens_per_s: 800 }), created_at: '2025-03-01 10:00:10+00:00' }),
          frame('2.2', 'metric', makeMetric(2, { loss: 1.9, lr: 2e-4, tokens_per_s: 850 })),
          frame('2.3', 'metric', makeMetric(4, { loss: 0.8123, eval_loss: 0.95, cf_score: 0.031, lr: 1e-4 })),
          frame('3.3', 'event', { ...makeEvent(3, 'checkpoint checkpoint-4 saved', { data: { checkpoint: '/x/checkpoint-4' } }), created_at: '2025-03-01 10:04:00.5+00:00' }),
          frame('4.3', 'event', makeEvent(4, 'forgetting: CF score 0.031 is fine', { level: 'warn' })),
          frame('4.3', 'end', { status: 'succeeded' }),
        ]),
      );
    });
    server.use(http.get(`${API}/jobs/7/checkpoints`, () => HttpResponse.json({ data: [checkpoint(4)] })));

    renderApp('/jobs/7', signedIn());

    expect(await screen.findByRole('heading', { level: 3, name: 'pirate-style' })).toBeInTheDocument();
    const latestLoss = await screen.findByRole('group', { name: 'Latest loss' });
    expect(await within(latestLoss).findByText('0.8123')).toBeInTheDocument();
    expect(within(screen.getByRole('group', { name: 'Latest eval loss' })).getByText('0.95')).toBeInTheDocument();
    expect(within(screen.getByRole('group', { name: 'CF score' })).getByText('0.031')).toBeInTheDocument();
    // Train loss at steps 1, 2, 4 and eval loss at 4; CF once; LR at 1, 2, 4.
    expect(screen.getByRole('img', { name: 'Loss chart, 4 points' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Forgetting (CF score) chart, 1 points' })).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Learning rate chart, 3 points' })).toBeInTheDocument();
    expect(chartSeries(/^Loss chart/)).toEqual([
      [[1, 2.5], [2, 1.9], [4, 0.8123]],
      [[4, 0.95]],
    ]);

    // The stream resumed after the snapshot's newest event; after `end` the job is read again.
    expect(streamHeaders).toEqual(['2.0']);
    expect(await screen.findByText('Succeeded')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /Open the adapter/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Cancel job/ })).toBeNull();
    // A warning shows twice: pinned above the list, and in the list in its place.
    expect(within(screen.getByRole('region', { name: 'Warnings and errors' })).getByText('forgetting: CF score 0.031 is fine')).toBeInTheDocument();
    expect(within(screen.getByRole('region', { name: 'Event list' })).getByText('forgetting: CF score 0.031 is fine')).toBeInTheDocument();
    expect(await screen.findByText('checkpoint-4')).toBeInTheDocument();
  });
});

describe('JobDetailPage stream and actions', () => {
  it('reconnects after a dropped stream, resuming after the last message it saw', async () => {
    const state = { job: makeJob() };
    let calls = 0;
    const { streamHeaders } = serveJob(state, () => {
      calls += 1;
      if (calls === 1) {
        // The connection drops (a proxy restart): no `end`.
        return eventStream(sseBody([frame('2.5', 'metric', makeMetric(2, { loss: 1.5 }))]));
      }
      state.job = makeJob({ status: 'failed', finished_at: '2025-03-01T10:06:00Z' });
      return eventStream(sseBody([frame('3.6', 'metric', makeMetric(3, { loss: 1.25 })), frame('3.6', 'end', { status: 'failed' })]));
    });

    renderApp('/jobs/7', signedIn());

    const latestLoss = await screen.findByRole('group', { name: 'Latest loss' });
    expect(await within(latestLoss).findByText('1.5')).toBeInTheDocument();
    expect(await within(latestLoss).findByText('1.25')).toBeInTheDocument();
    expect(streamHeaders).toEqual(['2.0', '2.5']);
    expect(await screen.findByText('Failed')).toBeInTheDocument();
  });

  it('asks before cancelling, then calls the API', async () => {
    const state = { job: makeJob() };
    serveJob(state, () => eventStream(sseBody(['retry: 2000\n\n'], { keepOpen: true })));
    let cancelled = 0;
    server.use(
      http.post(`${API}/jobs/7/cancel`, () => {
        cancelled += 1;
        state.job = makeJob({ status: 'cancelling', cancel_requested_at: '2025-03-01T10:02:00Z' });
        return HttpResponse.json(state.job);
      }),
    );
    const { user } = renderApp('/jobs/7', signedIn());

    const actions = await screen.findByRole('group', { name: 'Job actions' });
    expect(within(actions).queryByRole('button', { name: /Retry/ })).toBeNull();
    await user.click(await within(actions).findByRole('button', { name: /Cancel job/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel this job?' });
    await user.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(cancelled).toBe(0);

    await user.click(within(actions).getByRole('button', { name: /Cancel job/ }));
    // The first dialog may still be closing (jsdom never ends its animation): take the new one.
    await waitFor(() => expect(screen.getAllByRole('dialog', { name: 'Cancel this job?' }).length).toBeGreaterThan(0));
    const again = screen.getAllByRole('dialog', { name: 'Cancel this job?' }).at(-1) as HTMLElement;
    await user.click(within(again).getByRole('button', { name: 'Cancel job' }));
    expect(await screen.findByText('Cancel requested')).toBeInTheDocument();
    expect(cancelled).toBe(1);
    expect(await screen.findByText('Cancelling')).toBeInTheDocument();
    expect(within(actions).queryByRole('button', { name: /Cancel job/ })).toBeNull();
  });

  it('shows why a job failed with the fix, and retries it', async () => {
    const state = {
      job: makeJob({
        status: 'failed',
        finished_at: '2025-03-01T10:03:00Z',
        error: { code: 'cuda_oom', message: 'out of GPU memory: lower train.batch_size', param: 'train.batch_size' },
      }),
    };
    serveJob(state, () => eventStream(sseBody(['retry: 2000\n\n'], { keepOpen: true })));
    let retried = 0;
    server.use(
      http.post(`${API}/jobs/7/retry`, () => {
        retried += 1;
        state.job = makeJob({ status: 'queued', attempt: 1, started_at: null });
        return HttpResponse.json(state.job);
      }),
    );
    const { user } = renderApp('/jobs/7', signedIn());

    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('Why this job failed')).toBeInTheDocument();
    expect(within(alert).getByText('out of GPU memory: lower train.batch_size')).toBeInTheDocument();
    expect(within(alert).getByText(/turn on gradient checkpointing, or use QLoRA/)).toBeInTheDocument();
    expect(within(alert).getByText('train.batch_size')).toBeInTheDocument();
    const actions = screen.getByRole('group', { name: 'Job actions' });
    expect(within(actions).queryByRole('button', { name: /Cancel job/ })).toBeNull();

    await user.click(within(actions).getByRole('button', { name: /Retry/ }));
    expect(await screen.findByText('Job queued again; it resumes from its newest checkpoint')).toBeInTheDocument();
    expect(retried).toBe(1);
    expect(await screen.findByText('Queued')).toBeInTheDocument();
    // Watching again: the stream is opened for the queued job.
    expect(await screen.findByText('Live')).toBeInTheDocument();
  });

  it('draws the charts in the dark theme when dark mode is on', async () => {
    const state = { job: makeJob({ status: 'succeeded', finished_at: '2025-03-01T10:05:00Z' }) };
    serveJob(state, () => eventStream(sseBody([])));
    renderApp('/jobs/7', { ...signedIn(), preferences: { language: 'en', theme: 'dark' } });

    await screen.findByRole('img', { name: /^Loss chart/ });
    const chart = echarts.getInstanceByDom(screen.getByRole('img', { name: /^Loss chart/ }).firstElementChild as HTMLElement);
    const option = chart?.getOption() as { legend: { textStyle: { color: string } }[] };
    expect(option.legend[0]?.textStyle.color).toBe('rgba(255,255,255,0.85)');
  });

  it('warns when the job learned but forgot, in English and in Chinese', async () => {
    const sentence = 'Learned: on held-out examples exact match 75%, token F1 0.80 at step 2. Lost: the forgetting score stayed over 0.15 at every evaluation (lowest 0.400, the adapter kept), so general answers have drifted from the base model. Try a smaller train.learning_rate, more replay (a higher retain.replay_ratio or retain.kl_weight), or level L1 if a style is what you need.';
    const score = { code: 'train.score.exact', params: { exact: '75%', f1: '0.80' } };
    const detail = { code: 'train.outcome.lost', params: { learned: { code: 'train.outcome.learned', params: { score, step: 2 } }, threshold: '0.15', cf: '0.400' } };
    const forgot = { status: 'succeeded' as const, finished_at: '2025-03-01T10:05:00Z', outcome: 'forgot' as const, outcome_message: sentence, outcome_detail: detail, chosen_step: 2 };
    const state = { job: makeJob(forgot) };
    serveJob(state, () => eventStream(sseBody([])));
    const view = renderApp('/jobs/7', signedIn());
    const alert = await screen.findByRole('alert');
    expect(within(alert).getByText('This adapter learned, but forgot some of what the base model knew')).toBeInTheDocument();
    expect(within(alert).getByText(sentence)).toBeInTheDocument();
    view.unmount();

    renderApp('/jobs/7', { ...signedIn(), preferences: { language: 'zh', theme: 'light' } });
    const zhAlert = await screen.findByRole('alert');
    expect(within(zhAlert).getByText('该适配器学到了新内容，但遗忘了基础模型的部分能力')).toBeInTheDocument();
    // The sentence itself is coded: it reads in Chinese too, numbers and setting names kept.
    const said = within(zhAlert).getByText(/^学到的：在留出样本上完全匹配 75%，词元 F1 0.80（第 2 步）。丢失的/);
    expect(said.textContent).toContain('train.learning_rate');
    expect(said.textContent).not.toMatch(/Learned|Lost/);
  });

  it('shows no warning when the outcome is ok', async () => {
    const state = { job: makeJob({ status: 'succeeded', finished_at: '2025-03-01T10:05:00Z', outcome: 'ok', outcome_message: 'Kept.' }) };
    serveJob(state, () => eventStream(sseBody([])));
    renderApp('/jobs/7', signedIn());
    await screen.findByRole('heading', { level: 3, name: 'pirate-style' });
    expect(screen.queryByText(/forgot some of what the base model knew/)).not.toBeInTheDocument();
  });

  it('says so when the job does not exist', async () => {
    server.use(
      http.get(`${API}/auth/me`, () => HttpResponse.json(adminMe)),
      http.get(`${API}/jobs/99`, () => HttpResponse.json({ error: { code: 'not_found', message: 'no job with id 99', param: 'id' } }, { status: 404 })),
      http.get(`${API}/jobs/99/metrics`, () => HttpResponse.json({ error: { code: 'not_found', message: 'no job', param: 'id' } }, { status: 404 })),
      http.get(`${API}/jobs/99/events`, () => HttpResponse.json({ error: { code: 'not_found', message: 'no job', param: 'id' } }, { status: 404 })),
      http.get(`${API}/jobs/99/checkpoints`, () => HttpResponse.json({ error: { code: 'not_found', message: 'no job', param: 'id' } }, { status: 404 })),
    );
    renderApp('/jobs/99', signedIn());
    expect(await screen.findByText('There is no job #99, or it is not yours to see.')).toBeInTheDocument();
  });

  it('keeps the forgetting warning pinned over folded checkpoint events, colours the CF score and explains it', async () => {
    const job = makeJob({ status: 'succeeded', finished_at: '2025-03-01T10:05:00Z' });
    const warning = 'forgetting: CF score 0.330 is over the warning threshold 0.15';
    const saved = (seq: number) => makeEvent(seq, `checkpoint step-${seq} saved`, { data: { checkpoint: `/x/step-${seq}`, step: seq } });
    const events = [makeEvent(1, 'training started', { data: { total_steps: 52 } }), makeEvent(2, warning, { level: 'warn' }), ...[3, 4, 5, 6, 7, 8, 9, 10].map(saved)];
    const metrics = [makeMetric(10, { loss: 2.2 }), makeMetric(10, { kind: 'eval', eval_loss: 2.19, cf_score: 0.33, extra: { ppl_ratio: 0.86, kl: 0.33 } })];
    serveJob({ job }, () => eventStream(sseBody([])));
    server.use(
      http.get(`${API}/jobs/7/events`, () => HttpResponse.json({ data: events })),
      http.get(`${API}/jobs/7/metrics`, () => HttpResponse.json({ data: metrics })),
    );
    const { user } = renderApp('/jobs/7', signedIn());

    const pinned = await screen.findByRole('region', { name: 'Warnings and errors' });
    expect(within(pinned).getByText(warning)).toBeInTheDocument();
    const list = screen.getByRole('region', { name: 'Event list' });
    expect(within(list).getByText('8 checkpoints saved')).toBeInTheDocument();
    expect(within(list).queryByText('checkpoint step-5 saved')).toBeNull();
    await user.click(within(list).getByRole('button', { name: 'Show' }));
    expect(within(list).getByText('checkpoint step-5 saved')).toBeInTheDocument();
    await user.click(screen.getByText('Warnings and errors (1)'));
    expect(within(list).queryByText('training started')).toBeNull();
    expect(within(list).getByText(warning)).toBeInTheDocument();

    const cf = await screen.findByRole('group', { name: 'CF score' });
    expect(within(cf).getByText('above the warning threshold')).toBeInTheDocument();
    const explained = screen.getByRole('region', { name: 'What the forgetting score means' });
    expect(within(explained).getByText(/0.33 is above the warning threshold 0.15/)).toBeInTheDocument();
    expect(within(explained).getByText(/perplexity ratio 0.86 is 1 or below/i)).toBeInTheDocument();
    expect(within(explained).getByText(/lower learning rate, fewer epochs or a smaller rank/)).toBeInTheDocument();
  });

  it('shows a queued job as running as soon as the events say a worker started it', async () => {
    // The row stays "queued" (as between two polls); the stream says attempt 1 started.
    const state = { job: makeJob({ status: 'queued', started_at: null }) };
    serveJob(state, () =>
      eventStream(sseBody([frame('3.0', 'event', makeEvent(3, 'attempt 1 started', { data: { worker: 'host/1' } }))], { keepOpen: true })),
    );
    renderApp('/jobs/7', signedIn());
    expect(await screen.findByText('attempt 1 started')).toBeInTheDocument();
    const heading = screen.getByRole('heading', { name: 'pirate-style' }).parentElement as HTMLElement;
    expect(within(heading).getByText('Running')).toBeInTheDocument();
    expect(within(heading).queryByText('Queued')).toBeNull();
  });
});
