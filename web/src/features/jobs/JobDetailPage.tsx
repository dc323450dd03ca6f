import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, Col, Descriptions, Flex, Progress, Result, Row, Skeleton, Tabs, Typography } from 'antd';
import { lazy, Suspense, useCallback, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { api } from '../../api/api';
import { errorText, toApiError } from '../../api/errors';
import { jobsApi, useGetJobQuery, useJobCheckpointsQuery, useJobEventsQuery, useJobMetricsQuery } from '../../api/jobsApi';
import { useAppDispatch } from '../../app/hooks';
import { formatDateTime } from '../../components/format';
import { OutcomeAlert } from '../../components/OutcomeAlert';
import { formatDuration } from './format';
import { CheckpointsTable } from './detail/CheckpointsTable';
import { EventsTimeline } from './detail/EventsTimeline';
import { JobActions } from './detail/JobActions';
import { JobErrorAlert } from './detail/JobErrorAlert';
import { SpecViewer } from './detail/SpecViewer';
import { lastSeq, liveProgress, mergeEvents, mergeMetrics, reportedProgress, shownStatus, type Progress as JobProgress } from './metrics';
import { useCurrentUser } from '../auth/RequireAuth';
import { EvaluationPanel } from '../evaluation/EvaluationPanel';
import { DatasetName, ModelName, useOwnerName } from './names';
import { StatusTag, isLive, type Job } from './status';
import { useJobStream, type StreamBatch, type StreamState } from './useJobStream';

// The charts (and ECharts with them) load only when a job is opened, not with the app.
const MetricsPanel = lazy(() => import('./detail/MetricsPanel').then((module) => ({ default: module.MetricsPanel })));

/** The job row is re-read this often while it runs (status, heartbeat); rows come by the stream. */
export const JOB_POLL_MS = 5000;
// The REST snapshot's page sizes (the API's defaults): a fuller history comes from the stream.
const METRICS_PAGE = 5000;
const EVENTS_PAGE = 500;
const dash = '—';
const when = (at: string | null) => (at ? formatDateTime(at) : dash);

export function JobDetailPage() {
  const { id } = useParams();
  const jobId = Number(id);
  if (!Number.isInteger(jobId) || jobId <= 0) return <JobNotFound id={id ?? ''} />;
  return <JobDetail key={jobId} jobId={jobId} />;
}

function JobNotFound({ id }: { id: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <Result
      status="warning"
      title={t('jobs.detail.notFound', { id })}
      extra={<Button onClick={() => navigate('/jobs')}>{t('jobs.detail.back')}</Button>}
    />
  );
}

const EMPTY: StreamBatch = { metrics: [], events: [] };

function JobDetail({ jobId }: { jobId: number }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  // Poll the row only while it can still change.
  const cached = jobsApi.endpoints.getJob.useQueryState(jobId);
  const job = useGetJobQuery(jobId, { pollingInterval: cached.data && isLive(cached.data.status) ? JOB_POLL_MS : 0 });
  const { refetch: refetchJob } = job;
  const seedMetrics = useJobMetricsQuery(jobId);
  const seedEvents = useJobEventsQuery(jobId);
  const checkpoints = useJobCheckpointsQuery(jobId);
  const [streamed, setStreamed] = useState<StreamBatch>(EMPTY);

  const metrics = useMemo(() => mergeMetrics(seedMetrics.data?.data ?? [], streamed.metrics), [seedMetrics.data, streamed.metrics]);
  const events = useMemo(() => mergeEvents(seedEvents.data?.data ?? [], streamed.events), [seedEvents.data, streamed.events]);

  const live = job.data ? isLive(job.data.status) : false;
  // A snapshot cut at its page size has more behind it: the stream sends the rest, then ends.
  const truncated = (seedMetrics.data?.data.length ?? 0) >= METRICS_PAGE || (seedEvents.data?.data.length ?? 0) >= EVENTS_PAGE;
  const seeded = !seedMetrics.isLoading && !seedEvents.isLoading;

  const onBatch = useCallback(
    (batch: StreamBatch) => {
      setStreamed((current) => ({
        metrics: mergeMetrics(current.metrics, batch.metrics),
        events: mergeEvents(current.events, batch.events),
      }));
      if (batch.events.some((event) => typeof event.data.checkpoint === 'string')) void checkpoints.refetch();
      // A worker took the job: read the row now (attempt, started_at) instead of at the next poll.
      if (batch.events.some((event) => typeof event.data.worker === 'string')) void refetchJob();
    },
    [checkpoints, refetchJob],
  );
  const stream = useJobStream(jobId, {
    enabled: Boolean(job.data) && seeded && (live || truncated),
    // Events resume after the newest one shown; metric rows are re-sent and merged by step.
    startAfter: () => `${lastSeq(events)}.0`,
    onBatch,
    // The job ended: read its final row (result, error), checkpoints and any last rows.
    onEnd: () => {
      if (live) dispatch(api.util.invalidateTags([{ type: 'Job', id: jobId }]));
    },
  });

  if (job.isError) {
    const error = toApiError(job.error);
    if (error.status === 404) return <JobNotFound id={String(jobId)} />;
    return <Alert type="error" showIcon message={errorText(error, t)} />;
  }
  if (!job.data) return <Skeleton active />;
  const data = job.data;
  const progress = bestProgress(reportedProgress(data), liveProgress(metrics, events));

  return (
    <>
      <Link to="/jobs">
        <ArrowLeftOutlined /> {t('jobs.detail.back')}
      </Link>
      <Flex justify="space-between" align="flex-start" wrap gap={16} style={{ marginTop: 8, marginBottom: 16 }}>
        <div>
          <Flex align="center" gap={12} wrap>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {data.name}
            </Typography.Title>
            <StatusTag status={shownStatus(data, events)} />
            <StreamBadge state={stream} />
          </Flex>
          <Typography.Text type="secondary">
            {t('jobs.detail.jobNumber', { id: data.id })} · {t('jobs.detail.attempt', { attempt: data.attempt, max: data.max_attempts })}
          </Typography.Text>
        </div>
        <JobActions job={data} />
      </Flex>
      <JobErrorAlert job={data} />
      <OutcomeAlert outcome={data.outcome} message={data.outcome_message} detail={data.outcome_detail} />
      {data.kind === 'evaluation' && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message={<Link to={`/evaluations/${data.id}`}>{t('evaluation.compare.open')}</Link>} />
      )}
      {(live || progress !== null) && <ProgressBar job={data} progress={progress} />}
      <Overview job={data} />
      <JobTabs
        job={data}
        training={
          <>
            <Suspense fallback={<Skeleton active />}>
              <MetricsPanel metrics={metrics} spec={data.spec} />
            </Suspense>
            <Row gutter={[24, 16]} style={{ marginTop: 24 }}>
              <Col xs={24} xxl={12}>
                <section aria-labelledby="job-events">
                  <Typography.Title level={4} id="job-events">
                    {t('jobs.events.title')}
                  </Typography.Title>
                  <EventsTimeline events={events} />
                </section>
              </Col>
              <Col xs={24} xxl={12}>
                <section aria-labelledby="job-checkpoints">
                  <Typography.Title level={4} id="job-checkpoints">
                    {t('jobs.checkpoints.title')}
                  </Typography.Title>
                  <CheckpointsTable checkpoints={checkpoints.data?.data} loading={checkpoints.isLoading} />
                </section>
              </Col>
            </Row>
            <div style={{ marginTop: 24 }}>
              <SpecViewer spec={data.spec} />
            </div>
          </>
        }
      />
    </>
  );
}

/** Training (charts, events, checkpoints, spec) and the evaluation report; `?tab=evaluation` opens the latter. */
function JobTabs({ job, training }: { job: Job; training: ReactNode }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const active = params.get('tab') === 'evaluation' ? 'evaluation' : 'training';
  return (
    <Tabs
      activeKey={active}
      onChange={(key) => setParams(key === 'training' ? {} : { tab: key }, { replace: true })}
      items={[
        { key: 'training', label: t('evaluation.trainingTab'), children: training },
        { key: 'evaluation', label: t('evaluation.tab'), children: <EvaluationPanel job={job} /> },
      ]}
    />
  );
}

/** The further along of what the server last reported and what the stream has shown since. */
function bestProgress(reported: JobProgress | null, streamed: JobProgress | null): JobProgress | null {
  if (reported === null) return streamed;
  if (streamed === null || reported.step >= streamed.step) return reported;
  return { ...streamed, totalSteps: streamed.totalSteps ?? reported.totalSteps, etaSeconds: reported.etaSeconds };
}

function ProgressBar({ job, progress }: { job: Job; progress: JobProgress | null }) {
  const { t } = useTranslation();
  if (progress === null) return <Typography.Paragraph type="secondary">{t('jobs.detail.waiting')}</Typography.Paragraph>;
  const percent = job.status === 'succeeded' ? 100 : progress.fraction === null ? 0 : Math.round(progress.fraction * 1000) / 10;
  const step =
    progress.totalSteps === null
      ? t('jobs.detail.stepOnly', { step: progress.step })
      : t('jobs.detail.stepOf', { step: progress.step, total: progress.totalSteps });
  const eta = isLive(job.status) && progress.etaSeconds !== null ? t('jobs.detail.eta', { time: formatDuration(progress.etaSeconds, t) }) : null;
  return (
    <div style={{ marginBottom: 16, maxWidth: 720 }}>
      <Progress
        percent={percent}
        status={job.status === 'failed' ? 'exception' : isLive(job.status) ? 'active' : 'normal'}
        aria-label={t('jobs.detail.progress')}
      />
      <Typography.Text type="secondary">{eta ? `${step} · ${eta}` : step}</Typography.Text>
    </div>
  );
}

const BADGE: Record<StreamState, 'processing' | 'warning' | 'default' | 'success' | 'error' | null> = {
  idle: null,
  connecting: 'default',
  live: 'processing',
  reconnecting: 'warning',
  ended: null,
  failed: 'error',
};

function StreamBadge({ state }: { state: StreamState }) {
  const { t } = useTranslation();
  const status = BADGE[state];
  if (status === null) return null;
  return <Badge status={status} text={t(`jobs.detail.stream.${state}`)} />;
}

function Overview({ job }: { job: Job }) {
  const { t } = useTranslation();
  const me = useCurrentUser();
  const ownerName = useOwnerName(job.owner_id !== me?.id);
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 2, xl: 4 }}
      style={{ marginBottom: 24 }}
      items={[
        { key: 'model', label: t('jobs.detail.baseModel'), children: <ModelName id={job.base_model_id} link /> },
        { key: 'dataset', label: t('jobs.detail.dataset'), children: <DatasetName id={job.dataset_id} link /> },
        { key: 'owner', label: t('jobs.detail.owner'), children: ownerName(job.owner_id) },
        { key: 'priority', label: t('jobs.detail.priority'), children: job.priority },
        { key: 'created', label: t('jobs.detail.created'), children: when(job.created_at) },
        { key: 'started', label: t('jobs.detail.started'), children: when(job.started_at) },
        { key: 'finished', label: t('jobs.detail.finished'), children: when(job.finished_at) },
        { key: 'heartbeat', label: t('jobs.detail.lastHeartbeat'), children: when(job.heartbeat_at) },
      ]}
    />
  );
}
