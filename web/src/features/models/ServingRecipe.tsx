import { Alert, Collapse, Flex, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText, toApiError } from '../../api/errors';
import { useGetServingQuery } from '../../api/modelsApi';

function Code({ text }: { text: string }) {
  return (
    <Typography.Paragraph copyable={{ text }} style={{ marginBottom: 0 }}>
      <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{text}</pre>
    </Typography.Paragraph>
  );
}

function Recipe({ id }: { id: string }) {
  const { t } = useTranslation();
  const serving = useGetServingQuery(id);
  if (serving.isError) return <Alert type="error" showIcon message={errorText(toApiError(serving.error), t)} />;
  if (!serving.data) return <Skeleton active />;
  const recipe = serving.data;
  return (
    <Flex vertical gap={12}>
      <Typography.Text type="secondary">{t('models.serving.intro')}</Typography.Text>
      <Typography.Text strong>{t('models.serving.openaiModel')}</Typography.Text>
      <Code text={recipe.openai_model} />
      <Typography.Text strong>{t('models.serving.vllm')}</Typography.Text>
      <Code text={recipe.vllm_command} />
      <Typography.Text strong>{t('models.serving.ollama')}</Typography.Text>
      <Code text={recipe.ollama_modelfile.trimEnd()} />
      <Code text={recipe.ollama_commands.join('\n')} />
      <Typography.Text strong>{t('models.serving.notes')}</Typography.Text>
      <ul style={{ margin: 0 }}>
        {recipe.notes.map((note) => (
          <li key={note}>{note}</li>
        ))}
      </ul>
    </Flex>
  );
}

/** How to serve an adapter with vLLM or Ollama; the commands load when the panel is opened. */
export function ServingRecipe({ id }: { id: string }) {
  const { t } = useTranslation();
  return <Collapse items={[{ key: 'serving', label: t('models.serving.title'), children: <Recipe id={id} /> }]} />;
}
