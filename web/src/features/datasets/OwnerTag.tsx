import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { useCurrentUser } from '../auth/RequireAuth';

/** "you" for your own rows; the owner's user id otherwise (the API sends ids, not names). */
export function OwnerTag({ ownerId }: { ownerId: number }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  return me?.id === ownerId ? <Tag>{t('datasets.owner.you')}</Tag> : <>{t('datasets.owner.user', { id: ownerId })}</>;
}
