import { describe, expect, it } from 'vitest';
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
