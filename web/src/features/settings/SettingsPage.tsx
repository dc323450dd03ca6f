import { Tabs, Typography, type TabsProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useCurrentUser } from '../auth/RequireAuth';
import { AuditTab } from './AuditTab';
import { PasswordTab } from './PasswordTab';
import { ProfileTab } from './ProfileTab';
import { TokensTab } from './TokensTab';
import { UsersTab } from './UsersTab';

/** Profile and password for everyone; users and the audit log for those allowed (admins). */
export function SettingsPage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  // The server decides what a role may do; the tabs follow its permission list, not role names.
  const can = (permission: string) => user?.permissions.includes(permission) ?? false;

  const items: TabsProps['items'] = [
    { key: 'profile', label: t('settings.tabs.profile'), children: <ProfileTab /> },
    { key: 'password', label: t('settings.tabs.password'), children: <PasswordTab /> },
    ...(can('account:self') ? [{ key: 'tokens', label: t('tokens.tab'), children: <TokensTab /> }] : []),
    ...(can('users:manage') ? [{ key: 'users', label: t('settings.tabs.users'), children: <UsersTab /> }] : []),
    ...(can('audit:read') ? [{ key: 'audit', label: t('settings.tabs.audit'), children: <AuditTab /> }] : []),
  ];
  const requested = params.get('tab');
  const active = items.some((item) => item.key === requested) ? (requested as string) : 'profile';

  return (
    <>
      <Typography.Title level={3}>{t('settings.title')}</Typography.Title>
      <Tabs items={items} activeKey={active} onChange={(key) => setParams({ tab: key }, { replace: true })} destroyOnHidden />
    </>
  );
}
