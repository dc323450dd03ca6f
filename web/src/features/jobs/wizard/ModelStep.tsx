import { Alert, Button, Card, Col, Empty, Flex, Radio, Row, Skeleton, Tag, Typography, theme } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useOnlyChoice } from './useOnlyChoice';
import { errorText, toApiError } from '../../../api/errors';
import { useListModelsQuery } from '../../../api/modelsApi';
import type { Schemas } from '../../../api/types';
import { formatParams } from './format';

type Model = Schemas['ModelPublic'];

/** The facts the registry read from a base model's config (ModelFacts). */
interface Facts {
  model_type?: string;
  param_count?: number;
  num_layers?: number;
  hidden_size?: number;
  max_position_embeddings?: number;
  has_chat_template?: boolean;
}

// Enough for any registry a team keeps by hand; the list is newest first.
export const MODEL_PAGE = 100;

function ModelCard({ model, selected, onSelect }: { model: Model; selected: boolean; onSelect: () => void }) {
  const { t } = useTranslation();
  const { token } = theme.useToken();
  const facts = (model.facts ?? {}) as Facts;
  const line = (label: string, value: string | number | undefined) =>
    value === undefined ? null : (
      <Flex justify="space-between" gap={8}>
        <Typography.Text type="secondary">{label}</Typography.Text>
        <Typography.Text>{value}</Typography.Text>
      </Flex>
    );
  return (
    <Card
      hoverable
      size="small"
      onClick={onSelect}
      style={{ height: '100%', borderColor: selected ? token.colorPrimary : undefined, boxShadow: selected ? `0 0 0 1px ${token.colorPrimary}` : undefined }}
    >
      <Flex vertical gap={8}>
        <Radio value={model.id}>
          <Typography.Text strong>{model.name}</Typography.Text>
        </Radio>
        <Flex gap={4} wrap>
          {model.version > 1 && <Tag>v{model.version}</Tag>}
          <Tag>{model.gguf_file ? 'GGUF' : 'Hugging Face'}</Tag>
          {facts.has_chat_template && <Tag>{t('wizard.model.chatTemplate')}</Tag>}
          {model.visibility === 'private' && <Tag>{t('wizard.model.private')}</Tag>}
        </Flex>
        {line(t('wizard.model.architecture'), facts.model_type)}
        {line(t('wizard.model.parameters'), facts.param_count === undefined ? undefined : formatParams(facts.param_count))}
        {line(t('wizard.model.layers'), facts.num_layers)}
        {line(t('wizard.model.hidden'), facts.hidden_size)}
        {line(t('wizard.model.context'), facts.max_position_embeddings)}
      </Flex>
    </Card>
  );
}

/** Step 1: the base model to adapt, as cards with what the registry knows of each. */
export function ModelStep({ value, onChange }: { value: string | null; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const models = useListModelsQuery({ kind: 'base', limit: MODEL_PAGE });
  useOnlyChoice(value, models.data?.count === 1 ? models.data.data : undefined, onChange);

  if (models.isError) return <Alert type="error" showIcon message={errorText(toApiError(models.error), t)} />;
  if (!models.data) return <Skeleton active />;
  if (models.data.count === 0) {
    return (
      <Empty
        image={Empty.PRESENTED_IMAGE_SIMPLE}
        description={
          <Flex vertical gap={4} align="center">
            <Typography.Text strong>{t('wizard.model.emptyTitle')}</Typography.Text>
            <Typography.Text type="secondary" style={{ maxWidth: 520 }}>
              {t('wizard.model.emptyText')}
            </Typography.Text>
          </Flex>
        }
      >
        <Button type="primary" onClick={() => navigate('/models')}>
          {t('wizard.model.goToModels')}
        </Button>
      </Empty>
    );
  }
  return (
    <Radio.Group value={value} onChange={(e) => onChange(e.target.value as string)} style={{ display: 'block' }}>
      <div role="radiogroup" aria-label={t('wizard.model.label')}>
        <Row gutter={[16, 16]}>
          {models.data.data.map((model) => (
            <Col key={model.id} xs={24} md={12} xl={8}>
              <ModelCard model={model} selected={model.id === value} onSelect={() => onChange(model.id)} />
            </Col>
          ))}
        </Row>
      </div>
    </Radio.Group>
  );
}
