import { LogoutOutlined, SettingOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Dropdown, type MenuProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useLogoutMutation } from '../auth/authApi';
import { useCurrentUser } from '../auth/RequireAuth';

export function UserMenu() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const [logout] = useLogoutMutation();

  const items: MenuProps['items'] = [
    { key: 'settings', icon: <SettingOutlined />, label: t('nav.settings') },
    { type: 'divider' },
    { key: 'logout', icon: <LogoutOutlined />, label: t('header.logout') },
  ];
  const onClick: MenuProps['onClick'] = ({ key }) => {
    if (key === 'settings') {
      void navigate('/settings');
      return;
    }
    void logout().then(() => navigate('/login', { replace: true }));
  };
  return (
    <Dropdown menu={{ items, onClick }} trigger={['click']}>
      {/* The name contains the visible user name (WCAG 2.5.3, axe label-content-name-mismatch). */}
      <Button type="text" icon={<UserOutlined />} aria-label={user ? `${t('header.account')} ${user.username}` : t('header.account')}>
        {user?.username}
      </Button>
    </Dropdown>
  );
}
