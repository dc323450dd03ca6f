import { Button, Table, Tooltip, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../components/format';
import { formatCount, formatInteger, modelLabel, numberAt, type Model } from './modelInfo';

const dash = '—';

interface Props {
  models: Model[];
  loading: boolean;
  onOpen: (id: string) => void;
}

/** The base models registered from server folders or GGUF files. */
export function BaseModelsTable({ models, loading, onOpen }: Props) {
  const { t } = useTranslation();
  const params = (model: Model) => {
    const value = numberAt(model.facts, 'param_count');
    return value === null ? dash : formatCount(value);
  };

  const columns: TableColumnsType<Model> = [
    {
      title: t('models.columns.name'),
      key: 'name',
      render: (_: unknown, model) => (
        <Button type="link" style={{ padding: 0 }} onClick={() => onOpen(model.id)}>
          {modelLabel(model)}
        </Button>
      ),
    },
    {
      title: t('models.facts.architecture'),
      key: 'type',
      render: (_: unknown, model) => (typeof model.facts?.model_type === 'string' ? model.facts.model_type : dash),
    },
    { title: t('models.facts.parameters'), key: 'params', render: (_: unknown, model) => params(model) },
    {
      title: t('models.facts.context'),
      key: 'context',
      render: (_: unknown, model) => {
        const tokens = numberAt(model.facts, 'max_position_embeddings');
        return tokens === null ? dash : formatInteger(tokens);
      },
    },
    {
      title: t('models.format.label'),
      dataIndex: 'gguf_file',
      render: (file: string | null) => (file ? <Tooltip title={file}>{t('models.format.ggufShort')}</Tooltip> : t('models.format.hfShort')),
    },
    { title: t('models.visibility.label'), dataIndex: 'visibility', render: (v: Model['visibility']) => t(`models.visibility.short.${v}`) },
    { title: t('models.registered'), dataIndex: 'created_at', render: (at: string) => formatDateTime(at) },
  ];

  return (
    <Table<Model>
      rowKey="id"
      aria-label={t('models.tabs.base')}
      columns={columns}
      dataSource={models}
      loading={loading}
      locale={{ emptyText: <Typography.Text type="secondary">{t('models.base.empty')}</Typography.Text> }}
      scroll={{ x: 'max-content' }}
    />
  );
}
