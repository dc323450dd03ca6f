import { App as AntApp, ConfigProvider } from 'antd';
import type { Locale } from 'antd/es/locale';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useEffect, type ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { Provider } from 'react-redux';
import i18n, { setupI18n } from '../i18n';
import { selectLanguage, selectTheme } from '../features/preferences/preferencesSlice';
import { useAppSelector } from './hooks';
import type { AppStore } from './store';
import { themeConfig } from './theme';

// antd/locale/* are CommonJS. With "type": "module" the bundler follows Node and hands over
// module.exports ({__esModule, default}), not the locale: unwrapped, or antd stays in English.
const unwrap = (module: Locale | { default: Locale }): Locale => ('default' in module ? module.default : module);
const ANTD_LOCALES = { en: unwrap(enUS), zh: unwrap(zhCN) } as const;
const HTML_LANG = { en: 'en', zh: 'zh-CN' } as const;

/** Applies the language and theme preferences to i18next, antd and the <html> element. */
function PreferencesProvider({ children }: { children: ReactNode }) {
  const language = useAppSelector(selectLanguage);
  const mode = useAppSelector(selectTheme);
  useEffect(() => {
    void i18n.changeLanguage(language);
    document.documentElement.lang = HTML_LANG[language];
  }, [language]);
  useEffect(() => {
    document.documentElement.dataset.theme = mode;
    document.documentElement.style.colorScheme = mode; // native scrollbars and form controls
  }, [mode]);
  return (
    <ConfigProvider locale={ANTD_LOCALES[language]} theme={themeConfig(mode)}>
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

/** Everything a page needs around it: store, translations, antd theme and locale. */
export function AppProviders({ store, children }: { store: AppStore; children: ReactNode }) {
  setupI18n(store.getState().preferences.language);
  return (
    <Provider store={store}>
      <I18nextProvider i18n={i18n}>
        <PreferencesProvider>{children}</PreferencesProvider>
      </I18nextProvider>
    </Provider>
  );
}
