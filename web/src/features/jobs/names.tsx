// Names for the ids a job row carries, each looked up once and cached by RTK Query.
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useGetDatasetQuery } from '../../api/datasetsApi';
import { useGetModelQuery } from '../../api/modelsApi';
import { useListUsersQuery } from '../settings/usersApi';
import { useCurrentUser } from '../auth/RequireAuth';

const dash = '—';

/** Same links as the models and datasets pages use to open one item. */
export const modelPath = (id: string) => `/models?selected=${encodeURIComponent(id)}`;
export const datasetPath = (id: string) => `/datasets?selected=${encodeURIComponent(id)}`;

export function ModelName({ id, link = false }: { id: string | null; link?: boolean }) {
  const model = useGetModelQuery(id ?? '', { skip: id === null });
  if (id === null) return <Typography.Text type="secondary">{dash}</Typography.Text>;
  const name = model.data ? `${model.data.name} v${model.data.version}` : id;
  return link ? <Link to={modelPath(id)}>{name}</Link> : <>{name}</>;
}

export function DatasetName({ id, link = false }: { id: string | null; link?: boolean }) {
  const dataset = useGetDatasetQuery(id ?? '', { skip: id === null });
  if (id === null) return <Typography.Text type="secondary">{dash}</Typography.Text>;
  const name = dataset.data?.name ?? id;
  return link ? <Link to={datasetPath(id)}>{name}</Link> : <>{name}</>;
}

/** Usernames for admins (who may list users); `#id` for anyone else. Looks up only when `needed`. */
export function useOwnerName(needed = true): (ownerId: number) => string {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const canList = me?.permissions.includes('users:manage') ?? false;
  const users = useListUsersQuery({ offset: 0, limit: 500 }, { skip: !canList || !needed });
  return (ownerId) => {
    if (ownerId === me?.id) return t('jobs.you', { name: me.username });
    return users.data?.data.find((user) => user.id === ownerId)?.username ?? `#${ownerId}`;
  };
}
