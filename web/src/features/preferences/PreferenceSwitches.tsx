import { MoonOutlined, SunOutlined } from '@ant-design/icons';
import { Segmented, Space, Switch, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { languageChanged, selectLanguage, selectTheme, themeChanged } from './preferencesSlice';
import type { Language } from './storage';

// Each language is named in itself, so a user can find theirs whatever the current one is.
const LANGUAGE_OPTIONS: { value: Language; label: string }[] = [
  { value: 'zh', label: '中文' },
  { value: 'en', label: 'EN' },
];

/** Language and light/dark switches, shown in the header and on the login page. */
export function PreferenceSwitches() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const language = useAppSelector(selectLanguage);
  const mode = useAppSelector(selectTheme);
  return (
    <Space size="middle">
      <Segmented<Language>
        size="small"
        aria-label={t('header.language')}
        options={LANGUAGE_OPTIONS}
        value={language}
        onChange={(value) => dispatch(languageChanged(value))}
      />
      <Tooltip title={mode === 'dark' ? t('header.themeLight') : t('header.themeDark')}>
        <Switch
          aria-label={t('header.toggleTheme')}
          checked={mode === 'dark'}
          checkedChildren={<MoonOutlined />}
          unCheckedChildren={<SunOutlined />}
          onChange={(dark) => dispatch(themeChanged(dark ? 'dark' : 'light'))}
        />
      </Tooltip>
    </Space>
  );
}
