// Rows shaped exactly as the API sends them (types from the generated schema), for the tests.
import type { Me, Schemas } from '../../api/types';
import type { Checkpoint, JobEvent, Metric } from './metrics';
import type { Job } from './status';
import { baseModel as registryBaseModel } from '../../test/models';
import { pirateDataset } from '../../test/registryFixtures';

// GET /auth/me as the server answers it, for each role.
export { fullAdmin as adminMe, engineer as engineerMe, viewer as viewerMe } from '../../test/fixtures';

/** The same account as GET /users lists it (a UserPublic: no permissions). */
export const userOf = ({ id, username, role, is_active, created_at, last_login_at }: Me): Schemas['UserPublic'] => ({
  id,
  username,
  role,
  is_active,
  created_at,
  last_login_at,
});

export const SPEC = {
  spec_version: 1,
  level: 'L1',
  base_model: { path: '/srv/models/tiny', name: 'tiny' },
  data: { path: '/srv/data/pirate.jsonl', format: 'alpaca', max_length: 256 },
  lora: { r: 8, alpha: 16, dropout: 0.05, target_modules: ['q_proj', 'v_proj'] },
  train: { learning_rate: 0.0002, epochs: 1, batch_size: 2 },
  cf: { enabled: true, retain_path: null, max_items: 64, warn_threshold: 0.15, stop_threshold: null },
  output_dir: '/srv/easytune/jobs/7',
};

export function makeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 7,
    name: 'pirate-style',
    kind: 'train',
    owner_id: 1,
    status: 'running',
    priority: 0,
    base_model_id: 'mdl_base',
    dataset_id: 'ds_pirate',
    attempt: 1,
    max_attempts: 3,
    spec: SPEC,
    error: null,
    result: null,
    created_at: '2025-03-01T10:00:00Z',
    queued_at: '2025-03-01T10:00:01Z',
    started_at: '2025-03-01T10:00:05Z',
    heartbeat_at: '2025-03-01T10:01:00Z',
    finished_at: null,
    cancel_requested_at: null,
    progress: null,
    ...overrides,
  };
}

export function makeMetric(step: number, values: Partial<Metric> = {}): Metric {
  return {
    step,
    kind: 'train',
    attempt: 1,
    epoch: step / 100,
    loss: null,
    eval_loss: null,
    lr: null,
    tokens_per_s: null,
    cf_score: null,
    extra: {},
    created_at: '2025-03-01T10:00:10Z',
    ...values,
  };
}

export function makeEvent(seq: number, message: string, values: Partial<JobEvent> = {}): JobEvent {
  return { seq, attempt: 1, level: 'info', message, data: {}, created_at: '2025-03-01T10:00:06Z', ...values };
}

export const checkpoint = (step: number): Checkpoint => ({
  name: `checkpoint-${step}`,
  step,
  epoch: 0,
  tokens_seen: step * 512,
  best_eval_loss: null,
  size_bytes: 1_572_864,
});

/** The base model and the dataset `makeJob` names. */
export const baseModel = registryBaseModel({ id: 'mdl_base', owner_id: null, facts: null, created_at: '2025-02-01T00:00:00Z' });

export const dataset: Schemas['DatasetPublic'] = {
  ...pirateDataset,
  id: 'ds_pirate',
  name: 'pirate-style',
  visibility: 'private',
  format: 'alpaca',
  size_bytes: 20_480,
  sha256: 'a'.repeat(64),
  examples: 120,
  report: {},
  created_at: '2025-02-15T00:00:00Z',
};

/** One Server-Sent Events frame as job_stream.py writes it. */
export function frame(id: string, event: 'event' | 'metric' | 'end', data: unknown): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A text/event-stream body that sends `chunks` one by one, then closes (or stays open). */
export function sseBody(chunks: string[], { keepOpen = false } = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (!keepOpen) controller.close();
    },
  });
}
