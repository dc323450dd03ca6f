import { Table, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../../components/format';
import { formatMetric, type Checkpoint } from '../metrics';

const dash = '—';

export function CheckpointsTable({ checkpoints, loading }: { checkpoints: Checkpoint[] | undefined; loading: boolean }) {
  const { t } = useTranslation();
  const columns: TableColumnsType<Checkpoint> = [
    { title: t('jobs.checkpoints.name'), dataIndex: 'name' },
    { title: t('jobs.checkpoints.step'), dataIndex: 'step' },
    { title: t('jobs.checkpoints.epoch'), dataIndex: 'epoch', render: (epoch: number | null) => epoch ?? dash },
    {
      title: t('jobs.checkpoints.tokensSeen'),
      dataIndex: 'tokens_seen',
      render: (tokens: number | null) => (tokens === null ? dash : tokens.toLocaleString()),
    },
    {
      title: t('jobs.checkpoints.bestEvalLoss'),
      dataIndex: 'best_eval_loss',
      render: (loss: number | null) => (loss === null ? dash : formatMetric(loss)),
    },
    { title: t('jobs.checkpoints.size'), dataIndex: 'size_bytes', render: formatBytes },
  ];
  return (
    <Table<Checkpoint>
      rowKey="name"
      size="small"
      aria-label={t('jobs.checkpoints.tableLabel')}
      columns={columns}
      dataSource={checkpoints}
      loading={loading}
      pagination={false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: <Typography.Text type="secondary">{t('jobs.checkpoints.empty')}</Typography.Text> }}
    />
  );
}
