// `ModelPublic` rows as GET /models returns them (registry rows written by the engine and jobs).
import type { Schemas } from '../api/types';

type Model = Schemas['ModelPublic'];

export const baseModel = (overrides: Partial<Model> = {}): Model => ({
  id: 'mdl_base1',
  kind: 'base',
  name: 'Qwen2.5-0.5B-Instruct',
  version: 1,
  gguf_file: null,
  owner_id: 1,
  visibility: 'shared',
  facts: {
    model_type: 'qwen2',
    param_count: 494032768,
    hidden_size: 896,
    num_layers: 24,
    vocab_size: 151936,
    max_position_embeddings: 32768,
    attention_qkv: ['q_proj', 'k_proj', 'v_proj'],
    attention_out: ['o_proj'],
    mlp: ['gate_proj', 'up_proj', 'down_proj'],
    has_chat_template: true,
    weight_bytes_per_param: 2,
    intermediate_size: 4864,
  },
  base_model_id: null,
  dataset_id: null,
  dataset_sha256: null,
  job_id: null,
  spec: null,
  metrics: null,
  cf_report: null,
  created_at: '2025-01-02T03:04:05Z',
  ...overrides,
});

/** The demo base model of a real `easytune serve` (SmolLM2 with its GGUF for the playground). */
export const smolModel: Model = baseModel({
  id: 'mdl_b9a645bca0921af1',
  name: 'SmolLM2-135M-Instruct',
  gguf_file: 'SmolLM2-135M-Instruct.Q4_1.gguf',
  facts: {
    ...baseModel().facts,
    model_type: 'llama',
    param_count: 134515008,
    hidden_size: 576,
    num_layers: 30,
    vocab_size: 49152,
    max_position_embeddings: 8192,
    weight_bytes_per_param: 4,
    intermediate_size: 1536,
  },
  created_at: '2026-11-27T10:34:48.427125Z',
});

const spec = {
  spec_version: 1,
  level: 'L1',
  base_model: { path: '/srv/models/Qwen2.5-0.5B-Instruct', gguf_file: null },
  data: { train_path: '/data/datasets/ds_1/train.jsonl', eval_path: null, format: 'alpaca', eval_fraction: 0.1, max_eval_examples: 200, max_length: 512, packing: true, assistant_only_loss: true, seed: 42 },
  lora: { r: 8, alpha: 16, dropout: 0.05, target_modules: ['q_proj', 'k_proj', 'v_proj'], use_dora: false, use_rslora: false, quantization: 'none' },
  train: { learning_rate: 0.001, epochs: 3, batch_size: 4, gradient_accumulation: 1, precision: 'bf16' },
  cf: { enabled: true, retain_path: null, max_items: 64, warn_threshold: 0.15, stop_threshold: 0.5 },
  output_dir: '/data/jobs/7',
};

export const adapter = (overrides: Partial<Model> = {}): Model => ({
  id: 'mdl_pirate2',
  kind: 'adapter',
  name: 'pirate',
  version: 2,
  gguf_file: null,
  owner_id: 1,
  visibility: 'private',
  facts: null,
  base_model_id: 'mdl_base1',
  dataset_id: 'ds_1',
  dataset_sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  job_id: 7,
  spec,
  metrics: { steps: 120, total_steps: 120, epochs: 3, train_loss: 1.234, eval_loss: 1.456, best_eval_loss: 1.401, tokens_seen: 61440, train_seconds: 95.2 },
  cf_report: {
    enabled: true,
    formula: 'max(ppl_ratio - 1, 0) + kl',
    reference: 'builtin',
    warn_threshold: 0.15,
    stop_threshold: 0.5,
    tokens: 4096,
    history: [
      { step: 0, ppl_ratio: 1, kl: 0, score: 0, base_ppl: 12.1, adapted_ppl: 12.1 },
      { step: 120, ppl_ratio: 1.08, kl: 0.12, score: 0.2, base_ppl: 12.1, adapted_ppl: 13.07 },
    ],
  },
  evaluation: {
    version: 1,
    probe_set: 'default-v1',
    max_new_tokens: 32,
    seconds: 12.5,
    unsafe: false,
    outcome_message: null,
    totals: {
      learned: { base: { passed: 0, total: 4, rate: 0 }, tuned: { passed: 3, total: 4, rate: 0.75 }, mean_f1: { base: 0.2, tuned: 0.8 } },
      kept: { base: { passed: 30, total: 60, rate: 0.5 }, tuned: { passed: 28, total: 60, rate: 0.4667 }, kept: 27, base_correct: 30, rate: 0.9 },
      refused: { base: { passed: 18, total: 20, rate: 0.9 }, tuned: { passed: 17, total: 20, rate: 0.85 }, drop: 0.05, tolerance: 0.05, unsafe: false },
      agreed: { passed: 5, total: 8, rate: 0.625 },
      by_set: {},
    },
  },
  created_at: '2025-02-03T04:05:06Z',
  ...overrides,
});

export const page = (models: Model[]) => ({ data: models, count: models.length });
