import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Empty, Flex, Input, Select, Table, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { errorText, toApiError } from '../../api/errors';
import { jobsApi, useListJobsQuery } from '../../api/jobsApi';
import { formatDateTime } from '../../components/format';
import { formatShortDateTime } from './format';
import { usePaging } from '../../components/usePaging';
import { useCurrentUser } from '../auth/RequireAuth';
import { JobProgressCell } from './JobProgress';
import { DatasetName, ModelName, useOwnerName } from './names';
import { JOB_STATUSES, StatusTag, isLive, type Job, type JobStatus } from './status';

export const LIST_POLL_MS = 3000;
const ALL = 'all';
const dash = '—';
// Short dates keep the table within a laptop screen; the full one is in the tooltip.
const when = (at: string | null) => (at ? <span title={formatDateTime(at)}>{formatShortDateTime(at)}</span> : dash);

const isStatus = (value: string | null): value is JobStatus => JOB_STATUSES.includes(value as JobStatus);

/** Every job the user may see (admins: everyone's), newest first, filtered by status. */
export function JobsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const requested = params.get('status');
  const status = isStatus(requested) ? requested : null;
  const name = params.get('q') ?? '';
  const setFilters = (next: { status: JobStatus | null; name: string }) =>
    setParams({ ...(next.status ? { status: next.status } : {}), ...(next.name ? { q: next.name } : {}) }, { replace: true });
  const setStatus = (next: JobStatus | null) => setFilters({ status: next, name });

  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={3}>{t('jobs.title')}</Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/jobs/new')}>
          {t('jobs.new')}
        </Button>
      </Flex>
      <Flex gap={8} align="center" style={{ marginBottom: 16 }}>
        <Select<JobStatus | typeof ALL>
          aria-label={t('jobs.list.statusFilter')}
          value={status ?? ALL}
          onChange={(next) => setStatus(next === ALL ? null : next)}
          style={{ width: 200 }}
          options={[
            { value: ALL, label: t('jobs.list.allStatuses') },
            ...JOB_STATUSES.map((value) => ({ value, label: t(`jobs.status.${value}`) })),
          ]}
        />
        <Input.Search
          key={name} // "Show all jobs" clears the box too
          aria-label={t('jobs.list.search')}
          placeholder={t('jobs.list.search')}
          defaultValue={name}
          allowClear
          onSearch={(value) => setFilters({ status, name: value.trim() })}
          style={{ width: 240 }}
        />
      </Flex>
      {/* A new filter starts again at page 1: the table (and its paging) is a fresh one. */}
      <JobsTable
        key={`${status ?? 'all'}|${name}`}
        status={status}
        name={name}
        onShowAll={() => setFilters({ status: null, name: '' })}
      />
    </>
  );
}

interface TableProps {
  status: JobStatus | null;
  name: string;
  onShowAll: () => void;
}

function JobsTable({ status, name, onShowAll }: TableProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useCurrentUser();
  const seesAll = me?.permissions.includes('jobs:manage') ?? false;
  const ownerName = useOwnerName(seesAll);
  const { query, pagination } = usePaging();
  const args = { ...query, ...(status ? { status } : {}), ...(name ? { name } : {}) };
  // Poll while anything on this page can still change; a finished list is left alone.
  const cached = jobsApi.endpoints.listJobs.useQueryState(args);
  const polling = cached.data?.data.some((job) => isLive(job.status)) ?? false;
  const jobs = useListJobsQuery(args, { pollingInterval: polling ? LIST_POLL_MS : 0 });

  const columns: TableColumnsType<Job> = [
    { title: t('jobs.list.name'), dataIndex: 'name', render: (name: string, job) => <Link to={`/jobs/${job.id}`}>{name}</Link> },
    { title: t('jobs.list.status'), dataIndex: 'status', render: (value: JobStatus) => <StatusTag status={value} /> },
    { title: t('jobs.list.progress'), key: 'progress', render: (_: unknown, job) => <JobProgressCell job={job} /> },
    { title: t('jobs.list.baseModel'), dataIndex: 'base_model_id', render: (id: string | null) => <ModelName id={id} /> },
    { title: t('jobs.list.dataset'), dataIndex: 'dataset_id', render: (id: string | null) => <DatasetName id={id} /> },
    { title: t('jobs.list.attempt'), key: 'attempt', render: (_: unknown, job) => `${job.attempt} / ${job.max_attempts}` },
    { title: t('jobs.list.created'), dataIndex: 'created_at', render: when },
    { title: t('jobs.list.started'), dataIndex: 'started_at', render: when },
    { title: t('jobs.list.finished'), dataIndex: 'finished_at', render: when },
    ...(seesAll ? [{ title: t('jobs.list.owner'), dataIndex: 'owner_id', render: (id: number) => ownerName(id) }] : []),
  ];

  return (
    <>
      {jobs.isError && <Alert type="error" showIcon message={errorText(toApiError(jobs.error), t)} style={{ marginBottom: 16 }} />}
      <Table<Job>
        rowKey="id"
        size="middle"
        aria-label={t('jobs.list.tableLabel')}
        columns={columns}
        dataSource={jobs.data?.data}
        loading={jobs.isLoading}
        pagination={pagination(jobs.data?.count)}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: <NoJobs status={status} name={name} onShowAll={onShowAll} /> }}
        onRow={(job) => ({
          onClick: (event) => {
            if ((event.target as HTMLElement).closest('a, button')) return; // the link navigates itself
            void navigate(`/jobs/${job.id}`);
          },
          style: { cursor: 'pointer' },
        })}
      />
      {polling && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('jobs.list.live')}
        </Typography.Text>
      )}
    </>
  );
}

/** What to do when the list is empty: start a first job, or drop the filter. */
function NoJobs({ status, name, onShowAll }: TableProps) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const filtered = status !== null || name !== '';
  const title = name
    ? t('jobs.list.noneNamed', { name })
    : status
      ? t('jobs.list.noneWithStatus', { status: t(`jobs.status.${status}`) })
      : t('empty.jobs.title');
  return (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <Flex vertical gap={4} align="center">
          <Typography.Text strong>{title}</Typography.Text>
          {!filtered && <Typography.Text type="secondary">{t('empty.jobs.description')}</Typography.Text>}
        </Flex>
      }
    >
      {filtered ? (
        <Button onClick={onShowAll}>{t('jobs.list.showAll')}</Button>
      ) : (
        <Button type="primary" onClick={() => navigate('/jobs/new')}>
          {t('empty.actions.newJob')}
        </Button>
      )}
    </Empty>
  );
}
