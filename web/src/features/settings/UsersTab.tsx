import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Button, Flex, Select, Switch, Table, Tag, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, toApiError } from '../../api/errors';
import type { Role, UserPublic } from '../../api/types';
import { formatDateTime } from '../../components/format';
import { usePaging } from '../../components/usePaging';
import { useCurrentUser } from '../auth/RequireAuth';
import { ROLES } from './constants';
import { CreateUserModal } from './CreateUserModal';
import { useListUsersQuery, useUpdateUserMutation } from './usersApi';

export function UsersTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const me = useCurrentUser();
  const { query, pagination } = usePaging();
  const users = useListUsersQuery(query);
  const [updateUser] = useUpdateUserMutation();
  const [creating, setCreating] = useState(false);

  const update = async (user: UserPublic, patch: { role?: Role; is_active?: boolean }) => {
    try {
      await updateUser({ id: user.id, patch }).unwrap();
      void message.success(t('settings.users.updated', { username: user.username }));
    } catch (error) {
      void message.error(errorText(toApiError(error), t));
    }
  };
  // Changing one's own role or disabling oneself could lock the last administrator out.
  const selfLock = (user: UserPublic) => (user.id === me?.id ? t('settings.users.selfLocked') : undefined);

  const columns: TableColumnsType<UserPublic> = [
    {
      title: t('settings.users.username'),
      dataIndex: 'username',
      render: (name: string, user) => (
        <>
          {name} {user.id === me?.id && <Tag>{t('settings.users.you')}</Tag>}
        </>
      ),
    },
    {
      title: t('settings.users.role'),
      dataIndex: 'role',
      // Your own role as text: a disabled select would show it in the faint disabled colour,
      // below readable contrast, and it cannot be changed anyway.
      render: (role: Role, user) =>
        user.id === me?.id ? (
          <Tooltip title={selfLock(user)}>
            <Typography.Text>{t(`user.roles.${role}`)}</Typography.Text>
          </Tooltip>
        ) : (
          <Select<Role>
            value={role}
            style={{ width: 150 }}
            aria-label={`${t('settings.users.role')} ${user.username}`}
            options={ROLES.map((r) => ({ value: r, label: t(`user.roles.${r}`) }))}
            onChange={(next) => void update(user, { role: next })}
          />
        ),
    },
    {
      title: t('settings.users.active'),
      dataIndex: 'is_active',
      render: (active: boolean, user) => (
        <Tooltip title={selfLock(user)}>
          <Switch
            checked={active}
            disabled={user.id === me?.id}
            aria-label={`${t('settings.users.active')} ${user.username}`}
            onChange={(next) => void update(user, { is_active: next })}
          />
        </Tooltip>
      ),
    },
    { title: t('settings.users.createdAt'), dataIndex: 'created_at', render: (at: string) => formatDateTime(at) },
    {
      title: t('settings.users.lastLogin'),
      dataIndex: 'last_login_at',
      render: (at: string | null) => (at ? formatDateTime(at) : <Typography.Text type="secondary">{t('settings.users.never')}</Typography.Text>),
    },
  ];

  return (
    <Flex vertical gap={16}>
      <Flex justify="flex-end">
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('settings.users.create')}
        </Button>
      </Flex>
      {users.isError && <Alert type="error" showIcon message={errorText(toApiError(users.error), t)} />}
      <Table<UserPublic>
        rowKey="id"
        columns={columns}
        dataSource={users.data?.data}
        loading={users.isFetching}
        pagination={pagination(users.data?.count)}
        locale={{ emptyText: t('settings.users.empty') }}
        scroll={{ x: 'max-content' }}
      />
      <CreateUserModal open={creating} onClose={() => setCreating(false)} />
    </Flex>
  );
}
