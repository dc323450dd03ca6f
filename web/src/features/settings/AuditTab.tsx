import { Alert, Table, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText, toApiError } from '../../api/errors';
import type { AuditEntry } from '../../api/types';
import { formatDateTime } from '../../components/format';
import { usePaging } from '../../components/usePaging';
import { useListAuditQuery } from './usersApi';

export function AuditTab() {
  const { t } = useTranslation();
  const { query, pagination } = usePaging(50);
  const audit = useListAuditQuery(query);

  const columns: TableColumnsType<AuditEntry> = [
    { title: t('settings.audit.time'), dataIndex: 'created_at', width: 200, render: (at: string) => formatDateTime(at) },
    {
      title: t('settings.audit.actor'),
      dataIndex: 'actor',
      render: (actor: string | null) => actor ?? <Typography.Text type="secondary">{t('settings.audit.system')}</Typography.Text>,
    },
    { title: t('settings.audit.action'), dataIndex: 'action', render: (action: string) => <Typography.Text code>{action}</Typography.Text> },
    { title: t('settings.audit.target'), dataIndex: 'target', render: (target: string | null) => target ?? '—' },
    {
      title: t('settings.audit.detail'),
      dataIndex: 'detail',
      ellipsis: true,
      render: (detail: AuditEntry['detail']) => (detail ? JSON.stringify(detail) : '—'),
    },
  ];

  return (
    <>
      {audit.isError && <Alert type="error" showIcon message={errorText(toApiError(audit.error), t)} style={{ marginBottom: 16 }} />}
      <Table<AuditEntry>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={audit.data?.items}
        loading={audit.isFetching}
        pagination={pagination(audit.data?.total)}
        locale={{ emptyText: t('settings.audit.empty') }}
        scroll={{ x: 'max-content' }}
      />
    </>
  );
}
