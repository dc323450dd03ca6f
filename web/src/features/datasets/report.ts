// The `report` of a DatasetPublic is a free-form dict in the OpenAPI schema; its shape is
// DatasetReport.to_dict() of the training engine (training/data/report.py) plus `notes` and
// `tokenizer`, `warnings` and `kind` added at upload (core/datasets.py).
import type { MessageDetail } from '../../i18n/messages';
import type { Dataset } from './uploadDataset';

export interface TokenStats {
  format: string;
  examples: number;
  total_tokens: number;
  tokens_p50: number;
  tokens_p90: number;
  tokens_p95: number;
  tokens_p99: number;
  tokens_max: number;
  duplicates: number;
  is_chat: boolean;
  mean_assistant_tokens: number;
  /** Share of examples per language ("zh", "en", "other"), 0..1. */
  languages: Record<string, number>;
  mean_turns: number;
}

export interface DatasetReport {
  stats: TokenStats;
  /** The length the truncation count was measured at (plans choose their own). */
  max_length: number;
  truncated: number;
  no_labels_after_truncation: number;
  labelled_tokens: number;
  duplicates: number;
  notes: string[];
  /** The notes as {code, params}, same order (absent from older reports: the English stays). */
  note_details: (MessageDetail | null)[];
  /** Problems worth acting on ({code, message, params}); the UI words known codes itself. */
  warnings: DataWarning[];
  /** chat | corpus | tool_calling: what training does with the file. */
  kind: string;
  /** Corpus only: the max_length-token blocks its documents are cut into. */
  blocks: number;
  tokenizer: string;
}

export interface DataWarning {
  code: string;
  message: string;
  params: Record<string, number | string>;
  /** An `ignored` warning's words as {code, params}, for the reader's language. */
  detail?: MessageDetail;
}

const isWarning = (value: unknown): value is DataWarning =>
  isObject(value) && typeof value.code === 'string' && typeof value.message === 'string' && isObject(value.params);

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((n): n is string => typeof n === 'string') : []);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

const isDetail = (value: unknown): value is MessageDetail => isObject(value) && typeof value.code === 'string';

/** The dataset's report, or null when it lacks the statistics (an older or foreign record). */
export function reportOf(dataset: Dataset): DatasetReport | null {
  const { report } = dataset;
  if (!isObject(report.stats) || typeof report.stats.total_tokens !== 'number') return null;
  const stats = report.stats as unknown as TokenStats;
  return {
    stats: { ...stats, languages: isObject(stats.languages) ? stats.languages : {} },
    max_length: typeof report.max_length === 'number' ? report.max_length : 0,
    truncated: typeof report.truncated === 'number' ? report.truncated : 0,
    no_labels_after_truncation: typeof report.no_labels_after_truncation === 'number' ? report.no_labels_after_truncation : 0,
    labelled_tokens: typeof report.labelled_tokens === 'number' ? report.labelled_tokens : 0,
    duplicates: typeof report.duplicates === 'number' ? report.duplicates : stats.duplicates,
    notes: strings(report.notes),
    note_details: Array.isArray(report.note_details) ? report.note_details.map((d) => (isDetail(d) ? d : null)) : [],
    warnings: Array.isArray(report.warnings) ? report.warnings.filter(isWarning).map((w) => ({ ...w, detail: isDetail(w.detail) ? w.detail : undefined })) : [],
    kind: typeof report.kind === 'string' ? report.kind : stats.is_chat ? 'chat' : 'corpus',
    blocks: typeof report.blocks === 'number' ? report.blocks : 0,
    tokenizer: typeof report.tokenizer === 'string' ? report.tokenizer : '',
  };
}
