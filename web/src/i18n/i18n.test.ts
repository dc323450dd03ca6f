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
});
