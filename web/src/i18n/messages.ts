// Coded messages from the API ({code, params}: plan reasons, data notes, job events) rendered in
// the reader's language. The catalogues are exported from the backend's registry
// (`python -m easytune.i18n web/src/i18n/messages`); a backend test fails when they are stale.
import { useTranslation } from 'react-i18next';
import en from './messages/en.json';
import zh from './messages/zh.json';

export interface MessageDetail {
  code: string;
  params?: Record<string, unknown>;
}

const ENGLISH: Record<string, string> = en;
const CATALOGUES: Record<string, Record<string, string> | undefined> = { en, zh };
const LIST_SEPARATOR: Record<string, string> = { en: ' and ', zh: '、' };
// Named separators of a joined parameter ({join, items}), as the backend's i18n.SEPARATORS.
const SEPARATORS: Record<string, Record<string, string>> = {
  and: LIST_SEPARATOR,
  comma: { en: ', ', zh: '、' },
  semicolon: { en: '; ', zh: '；' },
};

interface Joined {
  join: string;
  items: unknown[];
}

function isJoined(value: unknown): value is Joined {
  return typeof value === 'object' && value !== null && typeof (value as Joined).join === 'string' && Array.isArray((value as Joined).items);
}

/** A {code, params} message (a parameter may be one too). */
export function isDetail(value: unknown): value is MessageDetail {
  return typeof value === 'object' && value !== null && typeof (value as MessageDetail).code === 'string';
}

function paramText(value: unknown, language: string): string {
  if (isDetail(value)) return renderMessage(value, language) ?? '';
  if (isJoined(value)) {
    const separators = SEPARATORS[value.join] ?? LIST_SEPARATOR;
    return value.items.map((v) => paramText(v, language)).join(separators[language] ?? separators.en);
  }
  if (Array.isArray(value)) return value.map((v) => paramText(v, language)).join(LIST_SEPARATOR[language] ?? LIST_SEPARATOR.en);
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The message in `language` (English when that catalogue lacks the code); null for an unknown code. */
export function renderMessage(detail: MessageDetail, language: string): string | null {
  const base = language.split('-')[0] ?? 'en';
  const template = CATALOGUES[base]?.[detail.code] ?? ENGLISH[detail.code];
  if (template === undefined) return null;
  const params = detail.params ?? {};
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? paramText(params[name], base) : whole));
}

/** A renderer bound to the current language: the coded text, else the API's English `fallback`. */
export function useMessage(): (detail: MessageDetail | null | undefined, fallback: string) => string {
  const { i18n } = useTranslation();
  return (detail, fallback) => (detail ? (renderMessage(detail, i18n.language) ?? fallback) : fallback);
}
