// Rows shaped exactly as the API sends them (types from the generated schema), for the tests.
import type { Schemas } from '../../api/types';
import type { Checkpoint, JobEvent, Metric } from './metrics';
import type { Job } from './status';

type Model = Schemas['ModelPublic'];
type Me = Schemas['Me'];
type Dataset = Schemas['DatasetPublic'];

// GET /auth/me as the server answers it (permissions: easytune.core.permissions).
const VIEWER_PERMISSIONS = ['account:self', 'datasets:read', 'models:read', 'jobs:read'];
const ENGINEER_PERMISSIONS = [...VIEWER_PERMISSIONS, 'datasets:write', 'models:write', 'jobs:create', 'playground:use'];
const ADMIN_PERMISSIONS = [...ENGINEER_PERMISSIONS, 'users:manage', 'audit:read', 'models:register', 'jobs:manage'];

export const adminMe: Me = {
  id: 1,
  username: 'admin',
  role: 'admin',
  is_active: true,
  created_at: '2025-01-02T03:04:05Z',
  last_login_at: '2025-01-03T04:05:06Z',
  permissions: ADMIN_PERMISSIONS,
};
export const engineerMe: Me = { ...adminMe, id: 2, username: 'erin', role: 'engineer', permissions: ENGINEER_PERMISSIONS };
/** The same account as GET /users lists it (a UserPublic: no permissions). */
export const userOf = ({ id, username, role, is_active, created_at, last_login_at }: Me): Schemas['UserPublic'] => ({
  id,
  username,
  role,
  is_active,
  created_at,
  last_login_at,
});
export const viewerMe: Me = { ...adminMe, id: 3, username: 'vic', role: 'viewer', permissions: VIEWER_PERMISSIONS };

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

export const baseModel: Model = {
  id: 'mdl_base',
  kind: 'base',
  name: 'Qwen2.5-0.5B-Instruct',
  version: 1,
  gguf_file: null,
  owner_id: null,
  visibility: 'shared',
  facts: null,
  base_model_id: null,
  dataset_id: null,
  dataset_sha256: null,
  job_id: null,
  spec: null,
  metrics: null,
  cf_report: null,
  created_at: '2025-02-01T00:00:00Z',
};

export const dataset: Dataset = {
  id: 'ds_pirate',
  name: 'pirate-style',
  owner_id: 1,
  visibility: 'private',
  format: 'alpaca',
  source_format: 'jsonl',
  filename: 'pirate_style.jsonl',
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
