import i18n from '../../i18n';

const locale = () => (i18n.language === 'zh' ? 'zh-CN' : 'en');
/** 13380 -> "13,380" in the UI language. */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

/** 0.7765 -> "78%". */
export function formatShare(share: number): string {
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(share);
}
