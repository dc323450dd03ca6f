import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Progress, Result, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { errorText, toApiError } from '../../api/errors';
import { useGetEvaluationQuery } from '../../api/evaluationsApi';
import { jobsApi, useGetJobQuery } from '../../api/jobsApi';
import { JobErrorAlert } from '../jobs/detail/JobErrorAlert';
import { StatusTag, isLive, type Job } from '../jobs/status';
import { AnswersByPrompt, ComparisonTable } from './ComparisonTable';

/** The job row is re-read this often until the evaluation ends. */
export const COMPARISON_POLL_MS = 3000;

/** `/evaluations/:id`: an evaluation job's progress, then its models x verdict totals and every answer. */
export function ComparisonPage() {
  const { id } = useParams();
  const jobId = Number(id);
  if (!Number.isInteger(jobId) || jobId <= 0) return <NotFound id={id ?? ''} />;
  return <Comparison key={jobId} jobId={jobId} />;
}

function NotFound({ id }: { id: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Result
      status="warning"
      title={t('evaluation.compare.notFound', { id })}
      extra={<Button onClick={() => navigate('/models')}>{t('evaluation.compare.back')}</Button>}
    />
  );
}

function Comparison({ jobId }: { jobId: number }) {
  const { t } = useTranslation();
  const cached = jobsApi.endpoints.getJob.useQueryState(jobId);
  const job = useGetJobQuery(jobId, { pollingInterval: cached.data && isLive(cached.data.status) ? COMPARISON_POLL_MS : 0 });
  const done = job.data?.status === 'succeeded';
  const report = useGetEvaluationQuery(jobId, { skip: !done });

  if (job.isError) {
    const error = toApiError(job.error);
    if (error.status === 404) return <NotFound id={String(jobId)} />;
    return <Alert type="error" showIcon message={errorText(error, t)} />;
  }
  if (!job.data) return <Skeleton active />;
  if (job.data.kind !== 'evaluation') return <NotFound id={String(jobId)} />;
  return (
    <>
      <Link to="/models">
        <ArrowLeftOutlined /> {t('evaluation.compare.back')}
      </Link>
      <Flex align="center" gap={12} wrap style={{ marginTop: 8, marginBottom: 16 }}>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {job.data.name}
        </Typography.Title>
        <StatusTag status={job.data.status} />
        <Link to={`/jobs/${jobId}`}>{t('evaluation.compare.jobLink', { id: jobId })}</Link>
      </Flex>
      <JobErrorAlert job={job.data} />
      {isLive(job.data.status) && <Running job={job.data} />}
      {done && report.isError && <Alert type="error" showIcon message={errorText(toApiError(report.error), t)} />}
      {done && !report.data && !report.isError && <Skeleton active />}
      {report.data && (
        <Flex vertical gap={24}>
          <Typography.Text type="secondary">
            {t('evaluation.compare.summary', {
              items: report.data.items,
              heldOut: report.data.held_out,
              name: report.data.probe_set,
              tokens: report.data.max_new_tokens,
              seconds: report.data.seconds,
            })}
          </Typography.Text>
          <ComparisonTable models={report.data.models} />
          <section aria-labelledby="answers-by-prompt">
            <Typography.Title level={4} id="answers-by-prompt">
              {t('evaluation.compare.byPrompt')}
            </Typography.Title>
            <AnswersByPrompt models={report.data.models} />
          </section>
        </Flex>
      )}
    </>
  );
}

function Running({ job }: { job: Job }) {
  const { t } = useTranslation();
  const progress = job.progress;
  const percent = progress?.fraction === null || progress?.fraction === undefined ? 0 : Math.round(progress.fraction * 100);
  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }}>
      <Typography.Text>
        {progress?.total_steps
          ? t('evaluation.compare.progress', { step: progress.step, total: progress.total_steps })
          : t('evaluation.compare.waiting')}
      </Typography.Text>
      <Progress percent={percent} status="active" aria-label={t('evaluation.compare.progressLabel')} />
    </Flex>
  );
}
