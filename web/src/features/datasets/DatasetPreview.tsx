import { Alert, Card, Flex, List, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePreviewDatasetQuery } from '../../api/datasetsApi';
import { errorText, toApiError } from '../../api/errors';
import type { Schemas } from '../../api/types';

type Example = Schemas['ExamplePublic'];

function Turns({ example }: { example: Example }) {
  const { t } = useTranslation();
  if (!example.messages) {
    return <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0 }}>{example.text}</Typography.Paragraph>;
  }
  // Preference data: the last turn is the chosen (or the labelled) answer.
  const last = example.messages.length - 1;
  return (
    <Flex vertical gap={8}>
      {example.messages.map((message, i) => (
        <Flex key={i} gap={8} align="baseline">
          <Tag style={{ minWidth: 72, textAlign: 'center', fontWeight: message.role === 'assistant' ? 600 : undefined }}>
            {t(`datasets.roles.${message.role}`, { defaultValue: message.role })}
          </Tag>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: 0, flex: 1 }}>{message.content}</Typography.Paragraph>
          {i === last && typeof example.label === 'boolean' && (
            <Tag color={example.label ? 'green' : 'red'}>{t(example.label ? 'datasets.preview.good' : 'datasets.preview.bad')}</Tag>
          )}
        </Flex>
      ))}
      {example.rejected != null && (
        <Flex gap={8} align="baseline">
          <Tag color="red" style={{ minWidth: 72, textAlign: 'center' }}>
            {t('datasets.preview.rejected')}
          </Tag>
          <Typography.Paragraph type="secondary" style={{ whiteSpace: 'pre-wrap', margin: 0, flex: 1 }}>
            {example.rejected}
          </Typography.Paragraph>
        </Flex>
      )}
    </Flex>
  );
}

/** A page of examples as training sees them: chat turns (role and content) or plain text. */
export function DatasetPreview({ datasetId, pageSize = 5 }: { datasetId: string; pageSize?: number }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const preview = usePreviewDatasetQuery({ id: datasetId, offset: (page - 1) * pageSize, limit: pageSize });

  if (preview.isError) return <Alert type="error" showIcon message={errorText(toApiError(preview.error), t)} />;
  return (
    <section aria-label={t('datasets.preview.label')}>
      <List<Example>
        loading={preview.isFetching}
        dataSource={preview.data?.data}
        rowKey="line"
        locale={{ emptyText: t('datasets.preview.empty') }}
        pagination={{
          current: page,
          pageSize,
          total: preview.data?.count ?? 0,
          onChange: setPage,
          showSizeChanger: false,
          size: 'small',
          hideOnSinglePage: true,
        }}
        renderItem={(example) => (
          <List.Item>
            <Card size="small" style={{ width: '100%' }} title={t('datasets.preview.line', { line: example.line })}>
              <Turns example={example} />
            </Card>
          </List.Item>
        )}
      />
    </section>
  );
}
