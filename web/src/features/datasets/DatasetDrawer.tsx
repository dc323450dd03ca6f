import { RocketOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Drawer, Flex, Skeleton, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useGetDatasetQuery } from '../../api/datasetsApi';
import { errorText, toApiError } from '../../api/errors';
import { formatBytes, formatDateTime } from '../../components/format';
import { useCurrentUser } from '../auth/RequireAuth';
import { DatasetPreview } from './DatasetPreview';
import { DatasetStats } from './DatasetStats';
import { DeleteDatasetButton } from './DeleteDatasetButton';
import { OwnerTag } from './OwnerTag';
import { useDeleteDataset } from './useDeleteDataset';
import type { Dataset } from './uploadDataset';

function Details({ dataset }: { dataset: Dataset }) {
  const { t } = useTranslation();
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 2 }}
      items={[
        { key: 'format', label: t('datasets.columns.format'), children: t(`datasets.formats.${dataset.format}`, { defaultValue: dataset.format }) },
        { key: 'file', label: t('datasets.detail.file'), children: `${dataset.filename} (${dataset.source_format})` },
        { key: 'size', label: t('datasets.columns.size'), children: formatBytes(dataset.size_bytes) },
        { key: 'visibility', label: t('datasets.columns.visibility'), children: <Tag>{t(`datasets.visibility.${dataset.visibility}`)}</Tag> },
        { key: 'owner', label: t('datasets.columns.owner'), children: <OwnerTag ownerId={dataset.owner_id} /> },
        { key: 'created', label: t('datasets.columns.created'), children: formatDateTime(dataset.created_at) },
        {
          key: 'sha256',
          label: t('datasets.detail.sha256'),
          children: <Typography.Text code copyable={{ text: dataset.sha256 }}>{dataset.sha256.slice(0, 12)}</Typography.Text>,
        },
      ]}
    />
  );
}

/** One dataset: where it came from, its token statistics and a preview of its examples. */
export function DatasetDrawer({ datasetId, onClose }: { datasetId: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useCurrentUser();
  const dataset = useGetDatasetQuery(datasetId ?? '', { skip: datasetId === null });
  const { remove, error, clearError } = useDeleteDataset(onClose);
  const data = dataset.data?.id === datasetId ? dataset.data : undefined;
  const canDelete = data !== undefined && (me?.role === 'admin' || me?.id === data.owner_id);
  const canTrain = me?.permissions.includes('jobs:create') ?? false;

  return (
    <Drawer
      open={datasetId !== null}
      onClose={() => {
        clearError();
        onClose();
      }}
      width="min(920px, 100vw)"
      title={data?.name ?? t('datasets.detail.title')}
      destroyOnHidden
      extra={
        data && (
          <Flex gap={8}>
            {canTrain && (
              <Button type="primary" icon={<RocketOutlined />} onClick={() => navigate(`/jobs/new?dataset=${encodeURIComponent(data.id)}`)}>
                {t('datasets.detail.train')}
              </Button>
            )}
            {canDelete && <DeleteDatasetButton dataset={data} onConfirm={remove} withText />}
          </Flex>
        )
      }
    >
      {dataset.isError && <Alert type="error" showIcon message={errorText(toApiError(dataset.error), t)} />}
      {!data && dataset.isFetching && <Skeleton active />}
      {data && (
        <Flex vertical gap={24}>
          {error && <Alert type="error" showIcon closable onClose={clearError} message={error} />}
          <Details dataset={data} />
          <section>
            <Typography.Title level={4}>{t('datasets.detail.statistics')}</Typography.Title>
            <DatasetStats dataset={data} />
          </section>
          <section>
            <Typography.Title level={4}>{t('datasets.detail.preview')}</Typography.Title>
            <DatasetPreview datasetId={data.id} />
          </section>
        </Flex>
      )}
    </Drawer>
  );
}
