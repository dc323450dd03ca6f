import { Button, Flex, Table, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../components/format';
import { readCfReport } from './cf';
import { CfScoreTag } from './CfReportView';
import { formatNumber, modelLabel, numberAt, type AdapterGroup, type Model } from './modelInfo';

const dash = '—';

interface Props {
  groups: AdapterGroup[];
  baseModels: ReadonlyMap<string, Model>;
  loading: boolean;
  onOpen: (id: string) => void;
}

function LatestCf({ model }: { model: Model }) {
  const report = readCfReport(model.cf_report);
  if (!report?.latest) return dash;
  return <CfScoreTag score={report.latest.score} warn={report.warn} stop={report.stop} />;
}

/** One row per adapter name; each version (newest first) opens its details. */
export function AdaptersTable({ groups, baseModels, loading, onOpen }: Props) {
  const { t } = useTranslation();
  const latest = (group: AdapterGroup) => group.versions[0] as Model;

  const columns: TableColumnsType<AdapterGroup> = [
    { title: t('models.columns.name'), dataIndex: 'name', render: (name: string) => <Typography.Text strong>{name}</Typography.Text> },
    {
      title: t('models.columns.versions'),
      key: 'versions',
      render: (_: unknown, group) => (
        <Flex gap={4} wrap>
          {group.versions.map((model) => (
            <Button key={model.id} size="small" aria-label={modelLabel(model)} onClick={() => onOpen(model.id)}>
              v{model.version}
            </Button>
          ))}
        </Flex>
      ),
    },
    {
      title: t('models.columns.baseModel'),
      key: 'base',
      render: (_: unknown, group) => {
        const id = latest(group).base_model_id;
        if (!id) return dash;
        const base = baseModels.get(id);
        return (
          <Button type="link" size="small" style={{ padding: 0 }} onClick={() => onOpen(id)}>
            {base ? modelLabel(base) : id}
          </Button>
        );
      },
    },
    {
      title: t('models.columns.evalLoss'),
      key: 'eval',
      render: (_: unknown, group) => {
        const loss = numberAt(latest(group).metrics, 'eval_loss');
        return loss === null ? dash : formatNumber(loss);
      },
    },
    { title: t('models.columns.cf'), key: 'cf', render: (_: unknown, group) => <LatestCf model={latest(group)} /> },
    { title: t('models.columns.trained'), key: 'created', render: (_: unknown, group) => formatDateTime(latest(group).created_at) },
  ];

  return (
    <Table<AdapterGroup>
      rowKey="name"
      aria-label={t('models.tabs.adapters')}
      columns={columns}
      dataSource={groups}
      loading={loading}
      locale={{ emptyText: <Typography.Text type="secondary">{t('models.adapters.empty')}</Typography.Text> }}
      scroll={{ x: 'max-content' }}
    />
  );
}
