// Reads an adapter's CF (catastrophic-forgetting) report, written by the engine as
// {enabled, formula, reference, warn_threshold, stop_threshold, tokens, history: [CFResult...]}.
import { numberAt } from './modelInfo';

export type CfLevel = 'ok' | 'warn' | 'stop';

export interface CfPoint {
  step: number | null;
  score: number;
  pplRatio: number | null;
  kl: number | null;
}

export interface CfLanguage {
  language: string;
  score: number;
}

export interface CfReport {
  enabled: boolean;
  formula: string | null;
  reference: string | null;
  tokens: number | null;
  warn: number | null;
  stop: number | null;
  history: CfPoint[];
  /** The newest measurement, when there is one. */
  latest: CfPoint | null;
  /** Scores per language of the reference set, when the report has them. */
  languages: CfLanguage[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function point(raw: unknown): CfPoint | null {
  if (!isRecord(raw)) return null;
  const score = numberAt(raw, 'score');
  if (score === null) return null;
  return { step: numberAt(raw, 'step'), score, pplRatio: numberAt(raw, 'ppl_ratio'), kl: numberAt(raw, 'kl') };
}

/** `{zh: 0.1}` or `{zh: {score: 0.1}}`, on the newest point or on the report itself. */
function languages(raw: unknown): CfLanguage[] {
  if (!isRecord(raw)) return [];
  return Object.entries(raw).flatMap(([language, value]) => {
    const score = typeof value === 'number' ? value : isRecord(value) ? numberAt(value, 'score') : null;
    return score === null ? [] : [{ language, score }];
  });
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/** The report in a typed shape; null when the adapter has none. */
export function readCfReport(raw: Record<string, unknown> | null | undefined): CfReport | null {
  if (!raw) return null;
  const rawHistory = Array.isArray(raw.history) ? raw.history : [];
  const history = rawHistory.map(point).filter((p): p is CfPoint => p !== null);
  const newestRaw: unknown = rawHistory[rawHistory.length - 1];
  const perLanguage = languages(raw.per_language);
  return {
    enabled: raw.enabled !== false,
    formula: text(raw.formula),
    reference: text(raw.reference),
    tokens: numberAt(raw, 'tokens'),
    warn: numberAt(raw, 'warn_threshold'),
    stop: numberAt(raw, 'stop_threshold'),
    history,
    latest: history[history.length - 1] ?? null,
    languages: perLanguage.length > 0 ? perLanguage : languages(isRecord(newestRaw) ? newestRaw.per_language : null),
  };
}

/** Where a score stands against the run's thresholds. */
export function cfLevel(score: number, warn: number | null, stop: number | null): CfLevel {
  if (stop !== null && score > stop) return 'stop';
  if (warn !== null && score > warn) return 'warn';
  return 'ok';
}

export const CF_STATUS = { ok: 'success', warn: 'warning', stop: 'error' } as const satisfies Record<CfLevel, string>;
