// Pure helpers over `ModelPublic`: labels, grouping of adapter versions, number formats.
import type { Schemas } from '../../api/types';
import i18n from '../../i18n';

export type Model = Schemas['ModelPublic'];

export interface AdapterGroup {
  name: string;
  /** Newest version first. */
  versions: Model[];
}

/** `pirate v2`: how a model is named everywhere in the UI. */
export const modelLabel = (model: Pick<Model, 'name' | 'version'>) => `${model.name} v${model.version}`;

/** Adapters by name, each with its versions newest first; groups ordered by their newest training. */
export function groupAdapters(models: readonly Model[]): AdapterGroup[] {
  const groups = new Map<string, Model[]>();
  for (const model of models) groups.set(model.name, [...(groups.get(model.name) ?? []), model]);
  const newest = (group: AdapterGroup) => group.versions[0]?.created_at ?? '';
  return [...groups.entries()]
    .map(([name, versions]) => ({ name, versions: [...versions].sort((a, b) => b.version - a.version) }))
    .sort((a, b) => newest(b).localeCompare(newest(a)));
}

const locale = () => (i18n.language === 'zh' ? 'zh-CN' : 'en');

/** 494000000 -> `494M` (`4.9亿` in Chinese). */
export const formatCount = (n: number) => new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 }).format(n);

/** 32768 -> `32,768`. */
export const formatInteger = (n: number) => new Intl.NumberFormat(locale()).format(n);

/** A loss, a score or a ratio: four significant digits. */
export const formatNumber = (n: number) => new Intl.NumberFormat(locale(), { maximumSignificantDigits: 4 }).format(n);

/** A number field of a JSON object from the API (metrics, facts, reports), else null. */
export function numberAt(record: Record<string, unknown> | null | undefined, key: string): number | null {
  const value = record?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
