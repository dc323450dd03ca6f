import { Descriptions, Flex, List, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useListModelsQuery } from '../../api/modelsApi';
import { formatDateTime } from '../../components/format';
import { formatCount, formatInteger, modelLabel, numberAt, type Model } from './modelInfo';

const dash = '—';

/** A base model's facts (read once at registration) and the adapters trained on it. */
export function BaseModelDetails({ model }: { model: Model }) {
  const { t } = useTranslation();
  const adapters = useListModelsQuery({ kind: 'adapter', base_model_id: model.id, limit: 100 });
  const facts = model.facts;
  const count = (key: string) => {
    const value = numberAt(facts, key);
    return value === null ? dash : formatCount(value);
  };
  const integer = (key: string) => {
    const value = numberAt(facts, key);
    return value === null ? dash : formatInteger(value);
  };
  const chatTemplate = facts?.has_chat_template;

  return (
    <Flex vertical gap={24}>
      <section aria-label={t('models.facts.title')}>
        <Typography.Title level={4}>{t('models.facts.title')}</Typography.Title>
        <Descriptions column={1} size="small" bordered>
          <Descriptions.Item label={t('models.facts.architecture')}>{typeof facts?.model_type === 'string' ? facts.model_type : dash}</Descriptions.Item>
          <Descriptions.Item label={t('models.facts.parameters')}>{count('param_count')}</Descriptions.Item>
          <Descriptions.Item label={t('models.facts.layers')}>{integer('num_layers')}</Descriptions.Item>
          <Descriptions.Item label={t('models.facts.hiddenSize')}>{integer('hidden_size')}</Descriptions.Item>
          <Descriptions.Item label={t('models.facts.context')}>{integer('max_position_embeddings')}</Descriptions.Item>
          <Descriptions.Item label={t('models.facts.vocab')}>{integer('vocab_size')}</Descriptions.Item>
          <Descriptions.Item label={t('models.facts.chatTemplate')}>
            {typeof chatTemplate === 'boolean' ? t(chatTemplate ? 'models.yes' : 'models.no') : dash}
          </Descriptions.Item>
          <Descriptions.Item label={t('models.format.label')}>
            {model.gguf_file ? t('models.format.gguf', { file: model.gguf_file }) : t('models.format.hf')}
          </Descriptions.Item>
          <Descriptions.Item label={t('models.registered')}>{formatDateTime(model.created_at)}</Descriptions.Item>
          <Descriptions.Item label={t('models.visibility.label')}>{t(`models.visibility.${model.visibility}`)}</Descriptions.Item>
        </Descriptions>
      </section>
      <section aria-label={t('models.trainedOn.title')}>
        <Typography.Title level={4}>{t('models.trainedOn.title')}</Typography.Title>
        <List<Model>
          size="small"
          bordered
          loading={adapters.isFetching}
          dataSource={adapters.data?.data ?? []}
          locale={{ emptyText: <Typography.Text type="secondary">{t('models.trainedOn.none')}</Typography.Text> }}
          renderItem={(adapter) => (
            <List.Item>
              <Link to={`/models?selected=${encodeURIComponent(adapter.id)}`}>{modelLabel(adapter)}</Link>
              <Typography.Text type="secondary">{formatDateTime(adapter.created_at)}</Typography.Text>
            </List.Item>
          )}
        />
      </section>
    </Flex>
  );
}
