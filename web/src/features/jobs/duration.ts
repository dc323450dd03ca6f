type Translate = (key: string, options?: Record<string, unknown>) => string;

/** "40 s", "12 min", "2 h 5 min": a time left, as precise as it is worth being. */
export function formatDuration(seconds: number, t: Translate): string {
  if (seconds < 60) return t('jobs.duration.seconds', { count: Math.max(1, Math.round(seconds)) });
  if (seconds < 3600) return t('jobs.duration.minutes', { count: Math.round(seconds / 60) });
  return t('jobs.duration.hours', { hours: Math.floor(seconds / 3600), minutes: Math.round((seconds % 3600) / 60) });
}
