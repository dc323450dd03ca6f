// Pure shaping of a job's metric and event rows into what the detail page shows: merged rows
// (from the REST snapshot and the live stream), chart series, latest values and progress.
import type { Schemas } from '../../api/types';

export type Metric = Schemas['MetricPublic'];
export type JobEvent = Schemas['EventPublic'];
export type Checkpoint = Schemas['CheckpointPublic'];
type Job = Schemas['JobPublic'];
/** [step, value], as ECharts takes it on a value x axis. */
export type Point = [number, number];

type NumericField = 'loss' | 'eval_loss' | 'lr' | 'tokens_per_s' | 'cf_score';

// The server keeps one row per (step, kind); a retried attempt's replay overwrites it.
const metricKey = (metric: Metric) => `${metric.kind}:${metric.step}`;

/** `current` with `incoming` added; a row for the same (step, kind) replaces the older one. */
export function mergeMetrics(current: Metric[], incoming: Metric[]): Metric[] {
  if (incoming.length === 0) return current;
  const byKey = new Map(current.map((metric) => [metricKey(metric), metric]));
  for (const metric of incoming) byKey.set(metricKey(metric), metric);
  return [...byKey.values()].sort((a, b) => a.step - b.step || a.kind.localeCompare(b.kind));
}

/** `current` with `incoming` added, one per seq, oldest first. */
export function mergeEvents(current: JobEvent[], incoming: JobEvent[]): JobEvent[] {
  if (incoming.length === 0) return current;
  const bySeq = new Map(current.map((event) => [event.seq, event]));
  for (const event of incoming) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The measured values of one field by step (one point per step; rows are merged and sorted). */
export function series(metrics: Metric[], field: NumericField): Point[] {
  const byStep = new Map<number, number>();
  for (const metric of metrics) {
    const value = metric[field];
    if (value !== null && Number.isFinite(value)) byStep.set(metric.step, value);
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]);
}

/** The values of a number the engine reports in a row's `extra` (preference runs' rewards). */
export function extraSeries(metrics: Metric[], name: string): Point[] {
  const byStep = new Map<number, number>();
  for (const metric of metrics) {
    const value = metric.extra[name];
    if (typeof value === 'number' && Number.isFinite(value)) byStep.set(metric.step, value);
  }
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]);
}

export interface PreferenceSeries {
  margin: Point[];
  evalMargin: Point[];
  accuracy: Point[];
  evalAccuracy: Point[];
  chosen: Point[];
  rejected: Point[];
}

/** The reward numbers of a preference run (DPO, ORPO, SimPO, KTO); empty series otherwise. */
export function preferenceSeries(metrics: Metric[]): PreferenceSeries {
  return {
    margin: extraSeries(metrics, 'reward_margin'),
    evalMargin: extraSeries(metrics, 'eval_reward_margin'),
    accuracy: extraSeries(metrics, 'reward_accuracy'),
    evalAccuracy: extraSeries(metrics, 'eval_reward_accuracy'),
    chosen: extraSeries(metrics, 'logps_chosen'),
    rejected: extraSeries(metrics, 'logps_rejected'),
  };
}

export interface MetricSeries {
  loss: Point[];
  evalLoss: Point[];
  lr: Point[];
  cf: Point[];
  tokensPerSecond: Point[];
  preference: PreferenceSeries;
}

/** The newest CF measurement with its parts (ppl_ratio and kl ride in the row's `extra`). */
export function lastCf(metrics: Metric[]): { score: number; pplRatio: number | null; kl: number | null } | null {
  const row = [...metrics].reverse().find((metric) => metric.cf_score !== null && Number.isFinite(metric.cf_score));
  if (!row || row.cf_score === null) return null;
  const part = (name: string) => {
    const value = row.extra[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  return { score: row.cf_score, pplRatio: part('ppl_ratio'), kl: part('kl') };
}

export function metricSeries(metrics: Metric[]): MetricSeries {
  return {
    loss: series(metrics, 'loss'),
    evalLoss: series(metrics, 'eval_loss'),
    lr: series(metrics, 'lr'),
    cf: series(metrics, 'cf_score'),
    tokensPerSecond: series(metrics, 'tokens_per_s'),
    preference: preferenceSeries(metrics),
  };
}

/** Four significant digits: enough to see a loss move, short enough to read at a glance. */
export const formatMetric = (value: number) => Number(value.toPrecision(4)).toString();

/** The last point of a series, or null while it is empty. */
export const lastPoint = (points: Point[]): Point | null => points.at(-1) ?? null;

export interface CfThresholds {
  enabled: boolean;
  warn: number | null;
  stop: number | null;
}

const asNumber = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** The CF monitor's thresholds from a job's resolved spec (`cf.warn_threshold`, `cf.stop_threshold`). */
export function cfThresholds(spec: Record<string, unknown>): CfThresholds {
  const cf = asRecord(spec.cf);
  return { enabled: cf.enabled !== false, warn: asNumber(cf.warn_threshold), stop: asNumber(cf.stop_threshold) };
}

export interface Progress {
  step: number;
  totalSteps: number | null;
  /** 0..1, or null when the total is not known yet. */
  fraction: number | null;
  etaSeconds: number | null;
}

/** The `progress` the API reports on a job (null until training started). */
export function reportedProgress(job: Job): Progress | null {
  const progress = job.progress;
  if (!progress) return null;
  const { step, total_steps: totalSteps } = progress;
  const fraction = progress.fraction ?? (totalSteps ? Math.min(step / totalSteps, 1) : null);
  return { step, totalSteps, fraction, etaSeconds: progress.eta_s };
}

/**
 * Progress as the live rows tell it: the newest step measured, out of the total the engine
 * announced in its "training started" event (`data.total_steps`).
 */
export function liveProgress(metrics: Metric[], events: JobEvent[]): Progress | null {
  const step = metrics.reduce((max, metric) => Math.max(max, metric.step), -1);
  if (step < 0) return null;
  let totalSteps: number | null = null;
  for (const event of events) totalSteps = asNumber(event.data.total_steps) ?? totalSteps;
  const fraction = totalSteps ? Math.min(step / totalSteps, 1) : null;
  return { step, totalSteps, fraction, etaSeconds: null };
}

/** The newest event seq, the first half of the stream's Last-Event-ID. */
export const lastSeq = (events: JobEvent[]) => events.reduce((max, event) => Math.max(max, event.seq), 0);

/**
 * The status to show: the job row, unless the events already say more. The row is polled every
 * few seconds, the events stream at once: a queued row whose current attempt has a worker's
 * "attempt N started" event is running (the next poll agrees).
 */
export function shownStatus(job: { status: Job['status']; attempt: number }, events: JobEvent[]): Job['status'] {
  if (job.status !== 'queued') return job.status;
  const started = events.some((event) => event.attempt === job.attempt && typeof event.data.worker === 'string');
  return started ? 'running' : job.status;
}
