import { Badge, Descriptions } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../components/format';
import { useCurrentUser } from '../auth/RequireAuth';

export function ProfileTab() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  if (!user) return null;
  return (
    <Descriptions column={1} bordered size="middle" style={{ maxWidth: 560 }}>
      <Descriptions.Item label={t('settings.profile.username')}>{user.username}</Descriptions.Item>
      <Descriptions.Item label={t('settings.profile.role')}>{t(`user.roles.${user.role}`)}</Descriptions.Item>
      <Descriptions.Item label={t('settings.profile.status')}>
        <Badge status={user.is_active ? 'success' : 'default'} text={t(user.is_active ? 'user.active' : 'user.disabled')} />
      </Descriptions.Item>
      <Descriptions.Item label={t('settings.profile.createdAt')}>{formatDateTime(user.created_at)}</Descriptions.Item>
    </Descriptions>
  );
}
