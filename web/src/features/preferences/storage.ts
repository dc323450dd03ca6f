// Remembered UI preferences. localStorage can throw (privacy modes), so every access is guarded.
export const LANGUAGES = ['en', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];
export type ThemeMode = 'light' | 'dark';

export const LANGUAGE_KEY = 'easytune.language';
export const THEME_KEY = 'easytune.theme';

export function readItem(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeItem(key: string, value: string | null): void {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch {
    // Not remembered across reloads; the app still works.
  }
}

/** The remembered language, else the first supported one in the browser's list, else English. */
export function initialLanguage(): Language {
  const saved = readItem(LANGUAGE_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'zh' || base === 'en') return base;
  }
  return 'en';
}

/** The remembered theme, else the operating system's colour scheme. */
export function initialTheme(): ThemeMode {
  const saved = readItem(THEME_KEY);
  if (saved === 'light' || saved === 'dark') return saved;
  return window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
