import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import zh from './zh.json';
import type { Language } from '../features/preferences/storage';

type Messages = Record<string, unknown>;

// Each feature keeps its own messages in `features/<name>/locales/{en,zh}.json`, keyed by one
// top-level namespace key (e.g. {"datasets": {...}}), so pages never edit a shared file.
const featureLocales = import.meta.glob<Messages>(['../features/*/locales/*.json', '../features/*/*/locales/*.json'], {
  eager: true,
  import: 'default',
});

function withFeatures(language: Language, base: Messages): Messages {
  const merged: Messages = { ...base };
  for (const [path, messages] of Object.entries(featureLocales)) {
    if (!path.endsWith(`/${language}.json`)) continue;
    for (const [key, value] of Object.entries(messages)) {
      if (key in merged) throw new Error(`i18n key "${key}" of ${path} is defined twice`);
      merged[key] = value;
    }
  }
  return merged;
}

export const resources = {
  en: { translation: withFeatures('en', en) },
  zh: { translation: withFeatures('zh', zh) },
};

/** Initialises i18next once; the Redux preference is the source of truth after that. */
export function setupI18n(language: Language) {
  if (!i18n.isInitialized) {
    void i18n.use(initReactI18next).init({
      resources,
      lng: language,
      fallbackLng: 'en',
      interpolation: { escapeValue: false }, // React escapes already
      initAsync: false,
    });
  } else if (i18n.language !== language) {
    void i18n.changeLanguage(language);
  }
  return i18n;
}

export default i18n;
