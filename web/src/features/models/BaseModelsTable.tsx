import { Button, Table, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../components/format';
import { formatCount, modelLabel, numberAt, type Model } from './modelInfo';

const dash = '—';

interface Props {
  models: Model[];
  loading: boolean;
  onOpen: (id: string) => void;
}

/** The base models registered from server folders or GGUF files. */
export function BaseModelsTable({ models, loading, onOpen }: Props) {
  const { t } = useTranslation();
  const count = (model: Model, key: string) => {
    const value = numberAt(model.facts, key);
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
    { title: t('models.facts.parameters'), key: 'params', render: (_: unknown, model) => count(model, 'param_count') },
    { title: t('models.facts.context'), key: 'context', render: (_: unknown, model) => count(model, 'max_position_embeddings') },
    {
      title: t('models.format.label'),
      dataIndex: 'gguf_file',
      render: (file: string | null) => (file ? t('models.format.gguf', { file }) : t('models.format.hf')),
    },
    { title: t('models.visibility.label'), dataIndex: 'visibility', render: (v: Model['visibility']) => t(`models.visibility.${v}`) },
    { title: t('models.registered'), dataIndex: 'created_at', render: (at: string) => formatDateTime(at) },
  ];

  return (
    <Table<Model>
      rowKey="id"
      aria-label={t('models.tabs.base')}
      columns={columns}
      dataSource={models}
      loading={loading}
      locale={{ emptyText: t('models.base.empty') }}
      scroll={{ x: 'max-content' }}
    />
  );
}
