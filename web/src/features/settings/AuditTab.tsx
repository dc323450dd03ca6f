import { Alert, DatePicker, Flex, Input, Table, Typography, type TableColumnsType } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, toApiError } from '../../api/errors';
import type { AuditEvent } from '../../api/types';
import { formatDateTime } from '../../components/format';
import { usePaging } from '../../components/usePaging';
import { useListAuditQuery } from './usersApi';

const dash = '—';

/** `user #3`; null when the event has no target. */
function targetLabel({ target_type, target_id }: AuditEvent): string | null {
  if (!target_type && !target_id) return null;
  return [target_type, target_id && `#${target_id}`].filter(Boolean).join(' ');
}

interface Filters {
  user?: string;
  action?: string;
  since?: string;
  until?: string;
}

/** The audit log, filtered by who acted, the action (or a prefix ending in '.') and a time range. */
export function AuditTab() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<Filters>({});
  const set = (change: Filters) => setFilters((current) => ({ ...current, ...change }));
  const setRange = (range: [Dayjs | null, Dayjs | null] | null) =>
    set({ since: range?.[0]?.toISOString() ?? undefined, until: range?.[1]?.toISOString() ?? undefined });
  return (
    <>
      <Flex gap={8} wrap style={{ marginBottom: 16 }} role="search" aria-label={t('settings.audit.filters')}>
        <Input.Search
          allowClear
          aria-label={t('settings.audit.filterUser')}
          placeholder={t('settings.audit.filterUser')}
          onSearch={(value) => set({ user: value.trim() || undefined })}
          style={{ width: 200 }}
        />
        <Input.Search
          allowClear
          aria-label={t('settings.audit.filterAction')}
          placeholder={t('settings.audit.filterActionHint')}
          onSearch={(value) => set({ action: value.trim() || undefined })}
          style={{ width: 240 }}
        />
        <DatePicker.RangePicker
          showTime
          allowEmpty={[true, true]}
          aria-label={t('settings.audit.filterTime')}
          placeholder={[t('settings.audit.since'), t('settings.audit.until')]}
          onChange={(range) => setRange(range)}
        />
      </Flex>
      {/* A new filter starts again at the first page. */}
      <AuditTable key={JSON.stringify(filters)} filters={filters} />
    </>
  );
}

function AuditTable({ filters }: { filters: Filters }) {
  const { t } = useTranslation();
  const { query, pagination } = usePaging(50);
  const audit = useListAuditQuery({ ...query, ...filters });
  const secondary = (text: string) => <Typography.Text type="secondary">{text}</Typography.Text>;

  const columns: TableColumnsType<AuditEvent> = [
    { title: t('settings.audit.time'), dataIndex: 'created_at', width: 200, render: (at: string) => formatDateTime(at) },
    {
      title: t('settings.audit.actor'),
      dataIndex: 'actor_username',
      // The username is kept on the row, so it survives the account's deletion.
      render: (name: string | null, event) =>
        name ?? (event.actor_id !== null ? `#${event.actor_id}` : secondary(t('settings.audit.system'))),
    },
    { title: t('settings.audit.action'), dataIndex: 'action', render: (action: string) => <Typography.Text code>{action}</Typography.Text> },
    { title: t('settings.audit.target'), key: 'target', render: (_: unknown, event) => targetLabel(event) ?? dash },
    { title: t('settings.audit.address'), dataIndex: 'client_address', render: (address: string | null) => address ?? dash },
    {
      title: t('settings.audit.detail'),
      dataIndex: 'detail',
      ellipsis: true,
      render: (detail: AuditEvent['detail']) => (Object.keys(detail).length > 0 ? JSON.stringify(detail) : dash),
    },
  ];

  return (
    <>
      {audit.isError && <Alert type="error" showIcon message={errorText(toApiError(audit.error), t)} style={{ marginBottom: 16 }} />}
      <Table<AuditEvent>
        rowKey="id"
        size="small"
        columns={columns}
        dataSource={audit.data?.data}
        loading={audit.isFetching}
        pagination={pagination(audit.data?.count)}
        locale={{ emptyText: t('settings.audit.empty') }}
        scroll={{ x: 'max-content' }}
      />
    </>
  );
}
