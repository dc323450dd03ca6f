import { Alert, Card, Collapse, Flex, Form, Select, Skeleton, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useOnlyChoice } from './useOnlyChoice';
import { useTranslation } from 'react-i18next';
import { useGetDatasetQuery, useListDatasetsQuery } from '../../../api/datasetsApi';
import { errorText, toApiError } from '../../../api/errors';
import { DatasetPreview } from '../../datasets/DatasetPreview';
import { DatasetStats } from '../../datasets/DatasetStats';
import { DatasetUpload } from '../../datasets/DatasetUpload';
import { formatCount } from '../../datasets/format';
import type { Dataset } from '../../datasets/uploadDataset';

const SEARCH_DELAY_MS = 300;
const OPTIONS = 50;

/** The chosen dataset's statistics and first examples, so the choice can be checked. */
function Chosen({ id }: { id: string }) {
  const { t } = useTranslation();
  const dataset = useGetDatasetQuery(id);
  if (dataset.isError) return <Alert type="error" showIcon message={errorText(toApiError(dataset.error), t)} />;
  if (!dataset.data) return <Skeleton active />;
  return (
    <Card title={dataset.data.name} size="small">
      <Flex vertical gap={16}>
        <section>
          <Typography.Title level={4}>{t('wizard.dataset.statistics')}</Typography.Title>
          <DatasetStats dataset={dataset.data} />
        </section>
        <section>
          <Typography.Title level={4}>{t('wizard.dataset.preview')}</Typography.Title>
          <DatasetPreview datasetId={dataset.data.id} pageSize={3} />
        </section>
      </Flex>
    </Card>
  );
}

/** Step 2: an existing dataset (searchable by name), or a new one uploaded right here. */
export function DatasetStep({ value, onChange }: { value: string | null; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSearch(typed.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed]);
  const list = useListDatasetsQuery({ limit: OPTIONS, ...(search ? { name: search } : {}) });
  const chosen = useGetDatasetQuery(value ?? '', { skip: value === null });
  useOnlyChoice(value, !search && list.data?.count === 1 ? list.data.data : undefined, onChange);
  const none = list.data?.count === 0 && !search;
  const [uploadOpen, setUploadOpen] = useState<string[]>([]);
  const uploadKeys = none ? ['upload'] : uploadOpen;

  // The chosen dataset stays in the options even when a search (or the page size) leaves it out.
  const datasets: Dataset[] = [...(list.data?.data ?? [])];
  const current = chosen.currentData;
  if (current && !datasets.some((d) => d.id === current.id)) datasets.unshift(current);
  const options = datasets.map((d) => ({
    value: d.id,
    label: t('wizard.dataset.option', {
      name: d.name,
      format: t(`datasets.formats.${d.format}`, { defaultValue: d.format }),
      examples: formatCount(d.examples),
    }),
  }));

  const uploaded = (dataset: Dataset) => {
    onChange(dataset.id);
    setUploadOpen([]);
  };

  return (
    <Flex vertical gap={16}>
      {list.isError && <Alert type="error" showIcon message={errorText(toApiError(list.error), t)} />}
      {none ? (
        <Alert type="info" showIcon message={t('wizard.dataset.emptyTitle')} description={t('wizard.dataset.emptyText')} />
      ) : (
        <Form layout="vertical" component="div">
          <Form.Item label={t('wizard.dataset.label')} htmlFor="wizard-dataset" style={{ marginBottom: 0 }}>
            <Select
              id="wizard-dataset"
              showSearch
              filterOption={false}
              onSearch={setTyped}
              value={value ?? undefined}
              onChange={(id: string) => onChange(id)}
              options={options}
              loading={list.isFetching}
              placeholder={t('wizard.dataset.placeholder')}
              notFoundContent={list.isFetching ? t('common.loading') : t('wizard.dataset.noMatch')}
              style={{ maxWidth: 640 }}
            />
          </Form.Item>
        </Form>
      )}
      <Collapse
        activeKey={uploadKeys}
        onChange={(keys) => setUploadOpen(keys)}
        items={[
          {
            key: 'upload',
            label: t('wizard.dataset.upload'),
            children: <DatasetUpload onUploaded={uploaded} />,
          },
        ]}
      />
      {value && <Chosen id={value} />}
    </Flex>
  );
}
