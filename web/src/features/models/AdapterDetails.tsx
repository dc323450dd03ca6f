import { Collapse, Descriptions, Flex, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime } from '../../components/format';
import { OutcomeAlert } from '../../components/OutcomeAlert';
import { useGetDatasetQuery } from '../../api/datasetsApi';
import { useGetModelQuery } from '../../api/modelsApi';
import { CfReportView } from './CfReportView';
import { EvaluationTotals } from '../evaluation/EvaluationTotals';
import { ExportsSection } from './ExportsSection';
import { ImportStatus } from './ImportStatus';
import { formatCount, formatNumber, modelLabel, numberAt, type Model } from './modelInfo';
import { useCurrentUser } from '../auth/RequireAuth';

const dash = '—';
const selectedPath = (id: string) => `/models?selected=${encodeURIComponent(id)}`;

// Metrics the engine reports, in reading order; any other number is listed after them by key.
const METRICS = ['eval_loss', 'best_eval_loss', 'train_loss', 'steps', 'epochs', 'tokens_seen', 'train_seconds'] as const;
const COUNTS = new Set<string>(['steps', 'total_steps', 'tokens_seen']);

function formatDuration(seconds: number) {
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds % 60);
  return minutes > 0 ? `${minutes} min ${rest} s` : `${formatNumber(seconds)} s`;
}

function metricValue(key: string, value: number) {
  if (key === 'train_seconds') return formatDuration(value);
  if (COUNTS.has(key)) return formatCount(value);
  return formatNumber(value);
}

function BaseModelLink({ id }: { id: string }) {
  const base = useGetModelQuery(id);
  return <Link to={selectedPath(id)}>{base.data ? modelLabel(base.data) : id}</Link>;
}

function DatasetLink({ id }: { id: string }) {
  const dataset = useGetDatasetQuery(id);
  return <Link to={`/datasets?selected=${encodeURIComponent(id)}`}>{dataset.data?.name ?? id}</Link>;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title}>
      <Typography.Title level={4}>{title}</Typography.Title>
      {children}
    </section>
  );
}

function Metrics({ metrics }: { metrics: Record<string, unknown> | null }) {
  const { t } = useTranslation();
  const known = new Set<string>([...METRICS, 'total_steps']);
  const keys = [...METRICS.filter((key) => numberAt(metrics, key) !== null), ...Object.keys(metrics ?? {}).filter((key) => !known.has(key) && numberAt(metrics, key) !== null)];
  if (keys.length === 0) return <Typography.Text type="secondary">{t('models.metrics.none')}</Typography.Text>;
  return (
    <Descriptions column={2} size="small" bordered>
      {keys.map((key) => (
        <Descriptions.Item key={key} label={t(`models.metrics.${key}`, { defaultValue: key })}>
          {metricValue(key, numberAt(metrics, key) as number)}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

/** A few settings worth seeing at a glance; the whole spec is below, folded. */
function SpecSummary({ spec }: { spec: Record<string, unknown> }) {
  const { t } = useTranslation();
  const part = (key: string) => (spec[key] ?? null) as Record<string, unknown> | null;
  const lora = part('lora');
  const train = part('train');
  const targets = Array.isArray(lora?.target_modules) ? (lora.target_modules as unknown[]).join(', ') : null;
  const rows: [string, ReactNode][] = [
    [t('models.spec.level'), typeof spec.level === 'string' ? spec.level : null],
    [t('models.spec.rank'), numberAt(lora, 'r')],
    [t('models.spec.alpha'), numberAt(lora, 'alpha')],
    [t('models.spec.targets'), targets],
    [t('models.spec.learningRate'), numberAt(train, 'learning_rate')],
    [t('models.spec.epochs'), numberAt(train, 'epochs')],
  ];
  return (
    <Descriptions column={2} size="small">
      {rows
        .filter(([, value]) => value !== null)
        .map(([label, value]) => (
          <Descriptions.Item key={label} label={label}>
            {value}
          </Descriptions.Item>
        ))}
    </Descriptions>
  );
}

/** An adapter's lineage (base model, dataset, job), metrics, forgetting report and training spec. */
export function AdapterDetails({ model }: { model: Model }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  return (
    <Flex vertical gap={24}>
      <ImportStatus model={model} />
      <OutcomeAlert outcome={model.outcome} message={model.outcome_message} detail={model.outcome_detail} />
      <Section title={t('models.exports.title')}>
        <ExportsSection model={model} canExport={me?.permissions.includes('jobs:create') ?? false} />
      </Section>
      <Section title={t('models.lineage.title')}>
        <Descriptions column={1} size="small" bordered>
          <Descriptions.Item label={t('models.lineage.baseModel')}>
            {model.base_model_id ? <BaseModelLink id={model.base_model_id} /> : t('models.lineage.baseDeleted')}
          </Descriptions.Item>
          <Descriptions.Item label={t('models.lineage.dataset')}>
            {model.dataset_id ? (
              <DatasetLink id={model.dataset_id} />
            ) : (
              <Typography.Text type="secondary">{t('models.lineage.datasetDeleted')}</Typography.Text>
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('models.lineage.sha256')}>
            {model.dataset_sha256 ? (
              <Typography.Text code copyable style={{ wordBreak: 'break-all' }}>
                {model.dataset_sha256}
              </Typography.Text>
            ) : (
              dash
            )}
          </Descriptions.Item>
          <Descriptions.Item label={t('models.lineage.job')}>
            {model.job_id !== null ? <Link to={`/jobs/${model.job_id}`}>{t('models.lineage.jobLink', { id: model.job_id })}</Link> : dash}
          </Descriptions.Item>
          <Descriptions.Item label={t('models.created')}>{formatDateTime(model.created_at)}</Descriptions.Item>
          <Descriptions.Item label={t('models.visibility.label')}>{t(`models.visibility.${model.visibility}`)}</Descriptions.Item>
        </Descriptions>
      </Section>
      <Section title={t('models.metrics.title')}>
        <Metrics metrics={model.metrics} />
      </Section>
      <Section title={t('models.cf.title')}>
        <CfReportView model={model} />
      </Section>
      {model.evaluation && (
        <Section title={t('evaluation.title')}>
          <EvaluationTotals summary={model.evaluation} />
          {model.job_id !== null && (
            <Link to={`/jobs/${model.job_id}?tab=evaluation`}>{t('evaluation.adapterLink', { id: model.job_id })}</Link>
          )}
        </Section>
      )}
      <Section title={t('models.spec.title')}>
        {model.spec ? (
          <>
            <SpecSummary spec={model.spec} />
            <Collapse
              size="small"
              items={[
                {
                  key: 'spec',
                  label: t('models.spec.show'),
                  children: (
                    // Focusable, so the scrollable block can be scrolled from the keyboard.
                    <pre tabIndex={0} aria-label={t('models.spec.title')} style={{ margin: 0, maxHeight: 400, overflow: 'auto', fontSize: 12 }}>{JSON.stringify(model.spec, null, 2)}</pre>
                  ),
                },
              ]}
            />
          </>
        ) : (
          <Typography.Text type="secondary">{t('models.spec.none')}</Typography.Text>
        )}
      </Section>
    </Flex>
  );
}
