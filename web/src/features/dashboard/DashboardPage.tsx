import { Alert, Button, Card, Col, Flex, Row, Skeleton, Statistic, Steps, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { errorText, toApiError } from '../../api/errors';
import { JobProgressCell } from '../jobs/JobProgress';
import { StatusTag, type JobStatus } from '../jobs/status';
import { modelPath } from '../jobs/names';
import { formatDateTime } from '../../components/format';
import { dashboardApi, useGetDashboardQuery, type Dashboard } from './dashboardApi';
import { WorkersTable } from './WorkersTable';

/** Refresh this often while jobs are queued or running, and slowly otherwise (workers come and go). */
export const ACTIVE_POLL_MS = 3000;
export const IDLE_POLL_MS = 30_000;
const ACTIVE: JobStatus[] = ['validating_files', 'queued', 'running', 'cancelling'];

const count = (byStatus: Dashboard['jobs_by_status'], ...statuses: JobStatus[]) =>
  statuses.reduce((sum, status) => sum + (byStatus[status] ?? 0), 0);

export function DashboardPage() {
  const { t } = useTranslation();
  const cached = dashboardApi.endpoints.getDashboard.useQueryState();
  const active = cached.data ? count(cached.data.jobs_by_status, ...ACTIVE) > 0 : false;
  const dashboard = useGetDashboardQuery(undefined, { pollingInterval: active ? ACTIVE_POLL_MS : IDLE_POLL_MS });

  const data = dashboard.data;
  const total = data ? Object.values(data.jobs_by_status).reduce((sum, n) => sum + n, 0) : 0;
  return (
    <>
      <Typography.Title level={3}>{t('nav.dashboard')}</Typography.Title>
      {dashboard.isError && !data && (
        <Alert
          type="error"
          showIcon
          message={errorText(toApiError(dashboard.error), t)}
          action={<Button onClick={() => void dashboard.refetch()}>{t('errors.retry')}</Button>}
        />
      )}
      {!data && !dashboard.isError && <Skeleton active />}
      {data && total === 0 && <Welcome data={data} />}
      {data && total > 0 && <Overview data={data} />}
      {data && (
        <Section title={t('dashboard.workers.title')} id="dashboard-workers">
          <WorkersTable workers={data.workers} />
        </Section>
      )}
    </>
  );
}

function Section({ title, id, extra, children }: { title: string; id: string; extra?: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={id} style={{ marginTop: 24 }}>
      <Flex justify="space-between" align="baseline">
        <Typography.Title level={4} id={id}>
          {title}
        </Typography.Title>
        {extra}
      </Flex>
      {children}
    </section>
  );
}

/** A new install: what EasyTune is for and the three steps to a first adapter. */
function Welcome({ data }: { data: Dashboard }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const current = data.base_models === 0 ? 0 : data.datasets === 0 ? 1 : 2;
  const stepLink = (to: string, label: string) => <Link to={to}>{label}</Link>;
  return (
    <Card>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('empty.dashboard.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('empty.dashboard.description')}</Typography.Paragraph>
      <Steps
        current={current}
        style={{ marginBlock: 24 }}
        aria-label={t('dashboard.gettingStarted')}
        items={[
          { title: stepLink('/models', t('dashboard.steps.model')), description: t('dashboard.steps.modelHelp') },
          { title: stepLink('/datasets', t('dashboard.steps.dataset')), description: t('dashboard.steps.datasetHelp') },
          { title: t('dashboard.steps.job'), description: t('dashboard.steps.jobHelp') },
        ]}
      />
      <Button type="primary" size="large" onClick={() => navigate('/jobs/new')}>
        {t('empty.actions.newJob')}
      </Button>
    </Card>
  );
}

function CountCard({ title, value, to }: { title: string; value: number; to: string }) {
  return (
    <Link to={to}>
      <Card hoverable size="small">
        <Statistic title={title} value={value} />
      </Card>
    </Link>
  );
}

function Overview({ data }: { data: Dashboard }) {
  const { t } = useTranslation();
  const byStatus = data.jobs_by_status;
  const counts = [
    { key: 'running', value: count(byStatus, 'running', 'cancelling'), to: '/jobs?status=running' },
    { key: 'queued', value: count(byStatus, 'queued', 'validating_files'), to: '/jobs?status=queued' },
    { key: 'succeeded', value: count(byStatus, 'succeeded'), to: '/jobs?status=succeeded' },
    { key: 'failed', value: count(byStatus, 'failed'), to: '/jobs?status=failed' },
    { key: 'datasets', value: data.datasets, to: '/datasets' },
    { key: 'baseModels', value: data.base_models, to: '/models' },
    { key: 'adapters', value: data.adapters, to: '/models' },
  ];
  return (
    <>
      <section aria-label={t('dashboard.counts.label')}>
        <Flex wrap gap={16}>
          {counts.map((item) => (
            <div key={item.key} style={{ flex: '1 1 130px' }}>
              <CountCard title={t(`dashboard.counts.${item.key}`)} value={item.value} to={item.to} />
            </div>
          ))}
        </Flex>
      </section>
      <Row gutter={[24, 0]}>
        <Col xs={24} xl={14}>
          <Section title={t('dashboard.running.title')} id="dashboard-running" extra={<Link to="/jobs">{t('dashboard.running.all')}</Link>}>
            <RunningJobs jobs={data.running_jobs} />
          </Section>
        </Col>
        <Col xs={24} xl={10}>
          <Section title={t('dashboard.adapters.title')} id="dashboard-adapters" extra={<Link to="/models">{t('dashboard.adapters.all')}</Link>}>
            <RecentAdapters adapters={data.recent_adapters} />
          </Section>
        </Col>
      </Row>
    </>
  );
}

function RunningJobs({ jobs }: { jobs: Dashboard['running_jobs'] }) {
  const { t } = useTranslation();
  if (jobs.length === 0) return <Typography.Text type="secondary">{t('dashboard.running.empty')}</Typography.Text>;
  return (
    <Flex vertical gap={12} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {jobs.map((job) => (
        <li key={job.id}>
          <Card size="small">
            <Flex justify="space-between" align="center" gap={16} wrap>
              <Flex vertical gap={4}>
                <Link to={`/jobs/${job.id}`}>{job.name}</Link>
                <StatusTag status={job.status} />
              </Flex>
              <div style={{ flex: '1 1 240px', maxWidth: 420 }}>
                <JobProgressCell job={job} eta />
              </div>
            </Flex>
          </Card>
        </li>
      ))}
    </Flex>
  );
}

function RecentAdapters({ adapters }: { adapters: Dashboard['recent_adapters'] }) {
  const { t } = useTranslation();
  if (adapters.length === 0) return <Typography.Text type="secondary">{t('dashboard.adapters.empty')}</Typography.Text>;
  return (
    <Flex vertical gap={8} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {adapters.map((adapter) => (
        <li key={adapter.id}>
          <Flex justify="space-between" gap={8} wrap>
            <Link to={modelPath(adapter.id)}>
              {adapter.name} v{adapter.version}
            </Link>
            <Typography.Text type="secondary">
              {adapter.job_id !== null && <>{t('dashboard.adapters.fromJob', { id: adapter.job_id })} · </>}
              {formatDateTime(adapter.created_at)}
            </Typography.Text>
          </Flex>
        </li>
      ))}
    </Flex>
  );
}
