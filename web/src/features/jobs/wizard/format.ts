import type { TFunction } from 'i18next';
import i18n from '../../../i18n';

const locale = () => (i18n.language === 'zh' ? 'zh-CN' : 'en');

/** 134515008 -> "134.5M" ("1.3亿" in Chinese). */
export function formatParams(count: number): string {
  return new Intl.NumberFormat(locale(), { notation: 'compact', maximumFractionDigits: 1 }).format(count);
}

/** Memory as GPUs and the planner count it: binary gigabytes. */
export function formatGiB(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: gib < 10 ? 1 : 0 }).format(gib)} GiB`;
}

/** 426 -> "about 7 min"; 7500 -> "about 2 h 5 min". */
export function formatDuration(seconds: number, t: TFunction): string {
  if (seconds < 60) return t('wizard.time.underMinute');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t('wizard.time.minutes', { minutes });
  return t('wizard.time.hours', { hours: Math.floor(minutes / 60), minutes: minutes % 60 });
}

/** A spec value for the settings table: lists joined, booleans as on/off, null as "—". */
export function formatSetting(value: unknown, t: TFunction): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? t('wizard.plan.on') : t('wizard.plan.off');
  if (Array.isArray(value)) return value.map((v) => formatSetting(v, t)).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return typeof value === 'string' ? value : '';
}
