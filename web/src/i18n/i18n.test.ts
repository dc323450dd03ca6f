import { describe, expect, it } from 'vitest';
import glossary from './glossary.json';
import { resources } from './index';

/** Every leaf key path of a nested messages object. */
function keys(messages: unknown, prefix = ''): string[] {
  if (typeof messages !== 'object' || messages === null) return [prefix];
  return Object.entries(messages).flatMap(([key, value]) => keys(value, prefix ? `${prefix}.${key}` : key));
}

describe('translations', () => {
  it('has the same keys in English and Chinese, features included', () => {
    const en = keys(resources.en.translation).sort();
    const zh = keys(resources.zh.translation).sort();
    expect(zh.filter((key) => !en.includes(key))).toEqual([]);
    expect(en.filter((key) => !zh.includes(key))).toEqual([]);
  });
});

/** Every leaf string of a nested messages object. */
function strings(messages: unknown): string[] {
  if (typeof messages === 'string') return [messages];
  if (typeof messages !== 'object' || messages === null) return [];
  return Object.values(messages).flatMap(strings);
}

describe('glossary', () => {
  it('translates each term one way in Chinese', () => {
    // Interpolations ({{tokens}}) are names, not words a reader sees.
    const zh = strings(resources.zh.translation).map((text) => text.replace(/\{\{[^}]*\}\}/g, ''));
    const offending = glossary.terms.flatMap((term) =>
      term.avoid.flatMap((word) => zh.filter((text) => text.includes(word)).map((text) => `${word} (use ${term.zh}): ${text}`)),
    );
    expect(offending).toEqual([]);
  });

  it('says each term the glossary\'s one way wherever the English says it', () => {
    // Interpolations and setting names (train.epochs) are not words. A text token is 词元; an API token (a credential: the tokens page, "API token") is 令牌.
    const en = entries(resources.en.translation);
    const zh = new Map(entries(resources.zh.translation));
    const word = (term: string) => term.split(' (')[0]?.split(' / ')[0] ?? term;
    const missing = glossary.terms.flatMap((term) =>
      en
        .filter(([, text]) => new RegExp(`\\b${word(term.en)}s?\\b`, 'i').test(text.replace(/\{\{[^}]*\}\}|[\w.]+\.\w+/g, '')))
        .filter(([key, text]) => word(term.en) !== 'token' || !(key.startsWith('tokens.') || /API tokens?/.test(text)))
        .filter(([key]) => !(zh.get(key) ?? '').includes(term.zh))
        .map(([key, text]) => `${key}: "${text}" -> "${zh.get(key) ?? ''}" lacks ${term.zh}`),
    );
    expect(missing).toEqual([]);
  });
});

/** Every leaf string of a nested messages object, by key path. */
function entries(messages: unknown, prefix = ''): [string, string][] {
  if (typeof messages === 'string') return [[prefix, messages]];
  if (typeof messages !== 'object' || messages === null) return [];
  return Object.entries(messages).flatMap(([key, value]) => entries(value, prefix ? `${prefix}.${key}` : key));
}
