// The wizard's choices, kept by the page across steps, and the requests built from them.
import type { Body, Schemas } from '../../../api/types';

export type Level = Schemas['IntentIn']['level'];
export type PlanBody = Body<'/api/v1/intent/plan', 'post'>;
export type Plan = Schemas['PlanPublic'];

export const LEVELS: Level[] = ['auto', 'L1', 'L2', 'L3'];
/** Dataset kinds the `preference` intent trains on: pairs (DPO, ORPO, SimPO) or labelled answers (KTO). */
export const PREFERENCE_KINDS = ['preference', 'kto'];

/** The intents offered for a dataset of this kind: `preference` only when it holds pairs or labels. */
export function levelsFor(kind: string | null | undefined): Level[] {
  return kind && PREFERENCE_KINDS.includes(kind) ? ['auto', 'preference', 'L1', 'L2', 'L3'] : LEVELS;
}

/** One expert override as typed: a spec path ("lora.r") and a value in JSON or plain text. */
export interface OverrideRow {
  id: number;
  key: string;
  value: string;
}

export interface WizardState {
  modelId: string | null;
  datasetId: string | null;
  level: Level;
  description: string;
  overrides: OverrideRow[];
  /** null while the user keeps the suggested name. */
  name: string | null;
  priority: number;
}

export const initialState = (modelId: string | null, datasetId: string | null): WizardState => ({
  modelId,
  datasetId,
  level: 'auto',
  description: '',
  overrides: [],
  name: null,
  priority: 0,
});

/** "8" -> 8, "true" -> true, '["q_proj"]' -> ["q_proj"], "cosine" -> "cosine". */
export function parseValue(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return trimmed;
  }
}

export type RowProblem = 'keyMissing' | 'valueMissing' | 'duplicate';

/** What is wrong with a row before the server sees it; rows left wholly empty are ignored. */
export function rowProblems(rows: OverrideRow[]): Map<number, RowProblem> {
  const problems = new Map<number, RowProblem>();
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    const value = row.value.trim();
    if (!key && !value) continue;
    if (!key) problems.set(row.id, 'keyMissing');
    else if (!value) problems.set(row.id, 'valueMissing');
    else if (seen.has(key)) problems.set(row.id, 'duplicate');
    seen.add(key);
  }
  return problems;
}

/** The overrides to send: complete rows only, by their dotted path. */
export function overridesOf(rows: OverrideRow[]): Record<string, unknown> {
  const problems = rowProblems(rows);
  const out: Record<string, unknown> = {};
  for (const row of rows) {
    if (row.key.trim() && row.value.trim() && !problems.has(row.id)) out[row.key.trim()] = parseValue(row.value);
  }
  return out;
}

/** POST /intent/plan for the current choices; null until a model and a dataset are chosen. */
export function planBody(state: WizardState): PlanBody | null {
  if (!state.modelId || !state.datasetId) return null;
  return {
    base_model_id: state.modelId,
    dataset_id: state.datasetId,
    intent: { level: state.level, description: state.description.trim() },
    overrides: overridesOf(state.overrides),
  };
}

/** The value at a dotted path of the spec ("lora.r" -> spec.lora.r). */
export function specValue(spec: Record<string, unknown>, path: string): unknown {
  let node: unknown = spec;
  for (const part of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}
