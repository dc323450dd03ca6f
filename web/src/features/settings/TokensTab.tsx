import { PlusOutlined } from '@ant-design/icons';
import { Alert, App, Badge, Button, Flex, Switch, Table, Typography, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, toApiError } from '../../api/errors';
import type { Schemas } from '../../api/types';
import { formatDateTime } from '../../components/format';
import { CreateTokenModal } from './CreateTokenModal';
import { useListTokensQuery, useRevokeTokenMutation } from './tokensApi';

type Token = Schemas['ApiTokenPublic'];
type Status = 'active' | 'expired' | 'revoked';

const statusOf = (token: Token, now: number): Status =>
  token.revoked_at ? 'revoked' : new Date(token.expires_at).getTime() <= now ? 'expired' : 'active';
const STATUS_BADGES = { active: 'success', expired: 'default', revoked: 'error' } as const satisfies Record<Status, string>;

/** Personal API tokens: list, create (the secret is shown once), revoke. */
export function TokensTab() {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const tokens = useListTokensQuery();
  const [revokeToken] = useRevokeTokenMutation();
  const [creating, setCreating] = useState(false);
  const [showRevoked, setShowRevoked] = useState(false);
  const [now] = useState(() => Date.now());

  const revoke = (token: Token) =>
    modal.confirm({
      title: t('tokens.revokeTitle', { name: token.name }),
      content: t('tokens.revokeText'),
      okText: t('tokens.revoke'),
      okButtonProps: { danger: true },
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await revokeToken(token.id).unwrap();
          void message.success(t('tokens.revoked', { name: token.name }));
        } catch (error) {
          void message.error(errorText(toApiError(error), t));
        }
      },
    });

  const muted = (text: string) => <Typography.Text type="secondary">{text}</Typography.Text>;
  const columns: TableColumnsType<Token> = [
    { title: t('tokens.name'), dataIndex: 'name' },
    { title: t('tokens.prefix'), dataIndex: 'prefix', render: (prefix: string) => <Typography.Text code>{prefix}…</Typography.Text> },
    { title: t('tokens.created'), dataIndex: 'created_at', render: (at: string) => formatDateTime(at) },
    { title: t('tokens.expires'), dataIndex: 'expires_at', render: (at: string) => formatDateTime(at) },
    {
      title: t('tokens.lastUsed'),
      dataIndex: 'last_used_at',
      render: (at: string | null) => (at ? formatDateTime(at) : muted(t('tokens.never'))),
    },
    {
      title: t('tokens.status'),
      key: 'status',
      render: (_: unknown, token) => {
        const status = statusOf(token, now);
        return <Badge status={STATUS_BADGES[status]} text={t(`tokens.statuses.${status}`)} />;
      },
    },
    {
      title: t('tokens.actions'),
      key: 'actions',
      render: (_: unknown, token) =>
        token.revoked_at ? null : (
          <Button danger size="small" aria-label={`${t('tokens.revoke')} ${token.name}`} onClick={() => revoke(token)}>
            {t('tokens.revoke')}
          </Button>
        ),
    },
  ];
  const rows = (tokens.data?.data ?? []).filter((token) => showRevoked || !token.revoked_at);

  return (
    <Flex vertical gap={16}>
      <Typography.Paragraph style={{ margin: 0, maxWidth: 720 }}>
        {t('tokens.intro')} <Typography.Text code>Authorization: Bearer &lt;token&gt;</Typography.Text>
      </Typography.Paragraph>
      <Flex justify="space-between" align="center" gap={16} wrap>
        <Flex gap={8} align="center">
          <Switch id="show-revoked-tokens" checked={showRevoked} onChange={setShowRevoked} />
          <label htmlFor="show-revoked-tokens">{t('tokens.showRevoked')}</label>
        </Flex>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('tokens.create')}
        </Button>
      </Flex>
      {tokens.isError && <Alert type="error" showIcon message={errorText(toApiError(tokens.error), t)} />}
      <Table<Token>
        rowKey="id"
        aria-label={t('tokens.tableLabel')}
        columns={columns}
        dataSource={rows}
        loading={tokens.isFetching}
        pagination={false}
        locale={{ emptyText: <Typography.Text type="secondary">{t('tokens.empty')}</Typography.Text> }}
        scroll={{ x: 'max-content' }}
      />
      <CreateTokenModal open={creating} onClose={() => setCreating(false)} />
    </Flex>
  );
}
