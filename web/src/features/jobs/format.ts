import i18n from '../../i18n';

type Translate = (key: string, options?: Record<string, unknown>) => string;

/** "40 s", "12 min", "2 h 5 min": a time left, as precise as it is worth being. */
export function formatDuration(seconds: number, t: Translate): string {
  if (seconds < 60) return t('jobs.duration.seconds', { count: Math.max(1, Math.round(seconds)) });
  if (seconds < 3600) return t('jobs.duration.minutes', { count: Math.round(seconds / 60) });
  return t('jobs.duration.hours', { hours: Math.floor(seconds / 3600), minutes: Math.round((seconds % 3600) / 60) });
}

/** "Mar 1, 10:05" (the year only when it is not this one), in the UI language. */
export function formatShortDateTime(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const locale = i18n.language === 'zh' ? 'zh-CN' : 'en';
  const year = date.getFullYear() === now.getFullYear() ? undefined : 'numeric';
  return new Intl.DateTimeFormat(locale, { year, month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
}
