import i18n from '../i18n';

const locale = () => (i18n.language === 'zh' ? 'zh-CN' : 'en');
const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 37408 -> "36.5 KB" (binary multiples, as disks and GPUs are sized), in the UI language. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value)} ${BYTE_UNITS[unit]}`;
}

/** A timestamp from the API, in the UI language and the browser's time zone. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
