import { Alert, Flex, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useJobEvaluationQuery } from '../../api/jobsApi';
import { errorText, toApiError } from '../../api/errors';
import { Link } from 'react-router';
import type { Job } from '../jobs/status';
import { EvaluationTotals } from './EvaluationTotals';
import { ItemsTable } from './ItemsTable';

/** A finished job's before/after report: totals, then every answer side by side with its verdict. */
export function EvaluationPanel({ job }: { job: Job }) {
  const { t } = useTranslation();
  const done = job.status === 'succeeded';
  const comparison = job.kind === 'evaluation';
  const report = useJobEvaluationQuery(job.id, { skip: !done || comparison });
  if (comparison) return <Link to={`/evaluations/${job.id}`}>{t('evaluation.compare.open')}</Link>;
  if (!done) return <Typography.Text type="secondary">{t('evaluation.notYet')}</Typography.Text>;
  if (report.isError) return <Alert type="info" showIcon message={errorText(toApiError(report.error), t)} />;
  if (!report.data) return <Skeleton active />;
  return (
    <Flex vertical gap={16}>
      <EvaluationTotals summary={report.data} />
      <ItemsTable items={report.data.items} />
    </Flex>
  );
}
