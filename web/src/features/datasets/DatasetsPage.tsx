import { UploadOutlined } from '@ant-design/icons';
import { Alert, Button, Empty, Flex, Input, Modal, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useCallback, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useListDatasetsQuery } from '../../api/datasetsApi';
import { errorText, toApiError } from '../../api/errors';
import { formatBytes, formatDateTime } from '../../components/format';
import { useCurrentUser } from '../auth/RequireAuth';
import { DatasetDrawer } from './DatasetDrawer';
import { DatasetUpload, SUFFIXES } from './DatasetUpload';
import { DeleteDatasetButton } from './DeleteDatasetButton';
import { formatCount } from './format';
import { OwnerTag } from './OwnerTag';
import { reportOf } from './report';
import { useDeleteDataset } from './useDeleteDataset';
import type { Dataset } from './uploadDataset';

const PAGE_SIZE = 20;

/** The upload form in a dialog that will not close while a file is on its way. */
function UploadModal({ open, onClose, onUploaded }: { open: boolean; onClose: () => void; onUploaded: (d: Dataset) => void }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      open={open}
      title={t('datasets.upload.title')}
      onCancel={onClose}
      footer={null}
      width={720}
      maskClosable={!busy}
      closable={!busy}
      keyboard={!busy}
      destroyOnHidden
    >
      <DatasetUpload onUploaded={onUploaded} onBusyChange={setBusy} />
    </Modal>
  );
}

/** What a new user sees: what a dataset is, which files work, and the button to upload one. */
function NoDatasets({ canUpload, onUpload }: { canUpload: boolean; onUpload: () => void }) {
  const { t } = useTranslation();
  return (
    <Empty
      style={{ marginTop: 48 }}
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <Flex vertical gap={8} align="center" style={{ maxWidth: 640, margin: '0 auto' }}>
          <Typography.Text strong>{t('datasets.empty.title')}</Typography.Text>
          <Typography.Text type="secondary">{t('datasets.empty.description')}</Typography.Text>
          <Typography.Text type="secondary">{t('datasets.empty.formats', { types: SUFFIXES.join(', ') })}</Typography.Text>
          <Typography.Text code style={{ whiteSpace: 'pre-wrap', textAlign: 'start' }}>
            {'{"messages": [{"role": "user", "content": "…"}, {"role": "assistant", "content": "…"}]}'}
          </Typography.Text>
          {!canUpload && <Typography.Text type="secondary">{t('datasets.empty.readOnly')}</Typography.Text>}
        </Flex>
      }
    >
      {canUpload && (
        <Button type="primary" icon={<UploadOutlined />} onClick={onUpload}>
          {t('datasets.upload.open')}
        </Button>
      )}
    </Empty>
  );
}

export function DatasetsPage() {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const [name, setName] = useState('');
  const [page, setPage] = useState({ current: 1, pageSize: PAGE_SIZE });
  const [uploading, setUploading] = useState(false);
  const list = useListDatasetsQuery({
    offset: (page.current - 1) * page.pageSize,
    limit: page.pageSize,
    ...(name ? { name } : {}),
  });
  const { remove, error: deleteError, clearError } = useDeleteDataset();
  const canUpload = me?.permissions.includes('datasets:write') ?? false;
  const canDelete = (d: Dataset) => canUpload && (me?.role === 'admin' || me?.id === d.owner_id);

  // The open dataset lives in the URL (?selected=ID, as on the models page), so a detail view
  // can be linked to: the job detail and adapter lineage link here that way.
  const openId = params.get('selected');
  const open = useCallback(
    (id: string | null) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (id) next.set('selected', id);
          else next.delete('selected');
          return next;
        },
        { replace: id === null },
      ),
    [setParams],
  );

  const columns: TableColumnsType<Dataset> = [
    {
      title: t('datasets.columns.name'),
      dataIndex: 'name',
      render: (value: string, d) => (
        <Button type="link" style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'start' }} onClick={() => open(d.id)}>
          {value}
        </Button>
      ),
    },
    {
      title: t('datasets.columns.format'),
      dataIndex: 'format',
      render: (format: string) => <Tag>{t(`datasets.formatsShort.${format}`, { defaultValue: format })}</Tag>,
    },
    { title: t('datasets.columns.examples'), dataIndex: 'examples', align: 'end', render: (n: number) => formatCount(n) },
    {
      title: t('datasets.columns.tokens'),
      key: 'tokens',
      align: 'end',
      render: (_, d) => {
        const report = reportOf(d);
        return report ? formatCount(report.stats.total_tokens) : '—';
      },
    },
    { title: t('datasets.columns.size'), dataIndex: 'size_bytes', align: 'end', render: (n: number) => formatBytes(n) },
    {
      title: t('datasets.columns.visibility'),
      dataIndex: 'visibility',
      render: (v: Dataset['visibility']) => <Tag>{t(`datasets.visibilityShort.${v}`)}</Tag>,
    },
    { title: t('datasets.columns.owner'), dataIndex: 'owner_id', render: (id: number) => <OwnerTag ownerId={id} /> },
    { title: t('datasets.columns.created'), dataIndex: 'created_at', render: (at: string) => formatDateTime(at) },
    {
      title: t('datasets.columns.actions'),
      key: 'actions',
      render: (_, d) => (canDelete(d) ? <DeleteDatasetButton dataset={d} onConfirm={remove} /> : null),
    },
  ];

  // Judged on the data alone: while the first page loads there is no answer yet, and a refetch
  // keeps the last one on screen, so neither the empty state nor the header button flickers.
  const nothingYet = list.data?.count === 0 && !name;

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={16}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('datasets.title')}
        </Typography.Title>
        {canUpload && list.data !== undefined && !nothingYet && (
          <Button type="primary" icon={<UploadOutlined />} onClick={() => setUploading(true)}>
            {t('datasets.upload.open')}
          </Button>
        )}
      </Flex>
      {list.isError && <Alert style={{ marginTop: 16 }} type="error" showIcon message={errorText(toApiError(list.error), t)} />}
      {deleteError && <Alert style={{ marginTop: 16 }} type="error" showIcon closable onClose={clearError} message={deleteError} />}
      {nothingYet ? (
        <NoDatasets canUpload={canUpload} onUpload={() => setUploading(true)} />
      ) : (
        <Flex vertical gap={16} style={{ marginTop: 16 }}>
          <Input.Search
            allowClear
            aria-label={t('datasets.filter')}
            placeholder={t('datasets.filterPlaceholder')}
            style={{ maxWidth: 360 }}
            onSearch={(value) => {
              setName(value.trim());
              setPage((p) => ({ ...p, current: 1 }));
            }}
          />
          <Table<Dataset>
            aria-label={t('datasets.tableLabel')}
            rowKey="id"
            columns={columns}
            dataSource={list.data?.data}
            loading={list.isFetching}
            locale={{ emptyText: name ? t('datasets.noMatch', { name }) : t('datasets.empty.title') }}
            scroll={{ x: 'max-content' }}
            pagination={{
              current: page.current,
              pageSize: page.pageSize,
              total: list.data?.count ?? 0,
              showSizeChanger: true,
              onChange: (current, pageSize) => setPage({ current: pageSize === page.pageSize ? current : 1, pageSize }),
            }}
          />
        </Flex>
      )}
      <UploadModal
        open={uploading}
        onClose={() => setUploading(false)}
        onUploaded={(dataset) => {
          setUploading(false);
          open(dataset.id);
        }}
      />
      <DatasetDrawer datasetId={openId} onClose={() => open(null)} />
    </>
  );
}
