import i18n from '../../i18n';

const locale = () => (i18n.language === 'zh' ? 'zh-CN' : 'en');
const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 37408 -> "36.5 KB" (binary multiples, as disks and GPUs are sized). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value)} ${UNITS[unit]}`;
}

/** 13380 -> "13,380" in the UI language. */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

/** 0.7765 -> "78%". */
export function formatShare(share: number): string {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(share);
}
