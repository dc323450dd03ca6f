import { Badge, Progress, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/types';
import { formatDateTime } from '../../components/format';
import { formatShortDateTime } from '../jobs/format';

type Worker = Schemas['WorkerPublic'];
type Translate = (key: string, options?: Record<string, unknown>) => string;

const num = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const gib = (bytes: number) => `${Math.round(bytes / 2 ** 30)} GB`;

/** "2× NVIDIA H100 (80 GB) · 16 CPU cores · 128 GB memory", from the facts a worker announced. */
export function hardwareSummary(hardware: Worker['hardware'], t: Translate): string | null {
  if (!hardware) return null;
  const gpus = num(hardware.gpu_count);
  const parts = [];
  if (hardware.device === 'cuda' && gpus > 0) {
    const name = typeof hardware.gpu_name === 'string' && hardware.gpu_name ? hardware.gpu_name : 'GPU';
    const memory = num(hardware.gpu_memory_bytes);
    parts.push(`${gpus}× ${name}${memory ? ` (${gib(memory)})` : ''}`);
  } else {
    parts.push(t('dashboard.workers.cpuOnly'));
  }
  if (num(hardware.cpu_count)) parts.push(t('dashboard.workers.cpus', { count: num(hardware.cpu_count) }));
  if (num(hardware.host_memory_bytes)) parts.push(t('dashboard.workers.memory', { size: gib(num(hardware.host_memory_bytes)) }));
  return parts.join(' · ');
}

/** The worker processes heard from in the last day: online first, with their busy slots. */
export function WorkersTable({ workers }: { workers: Worker[] }) {
  const { t } = useTranslation();
  const columns: TableColumnsType<Worker> = [
    {
      title: t('dashboard.workers.name'),
      dataIndex: 'name',
      render: (name: string, worker) => (
        <>
          <Typography.Text code>{name}</Typography.Text>
          {worker.hostname && !name.startsWith(worker.hostname) && <Typography.Text type="secondary"> {worker.hostname}</Typography.Text>}
        </>
      ),
    },
    { title: t('dashboard.workers.executor'), dataIndex: 'executor', render: (executor: string) => <Tag>{executor}</Tag> },
    {
      title: t('dashboard.workers.hardware'),
      dataIndex: 'hardware',
      render: (hardware: Worker['hardware']) =>
        hardwareSummary(hardware, t) ?? <Typography.Text type="secondary">{t('dashboard.workers.detecting')}</Typography.Text>,
    },
    {
      title: t('dashboard.workers.slots'),
      key: 'slots',
      render: (_: unknown, worker) => (
        <div style={{ minWidth: 110 }}>
          <Progress
            percent={worker.slots > 0 ? Math.round((worker.busy / worker.slots) * 100) : 0}
            steps={worker.slots <= 8 ? worker.slots : undefined}
            size="small"
            showInfo={false}
            aria-label={t('dashboard.workers.slotsLabel', { name: worker.name })}
          />{' '}
          <Typography.Text>{t('dashboard.workers.slotsOf', { busy: worker.busy, slots: worker.slots })}</Typography.Text>
        </div>
      ),
    },
    {
      title: t('dashboard.workers.status'),
      dataIndex: 'online',
      render: (online: boolean) => (
        <Badge status={online ? 'success' : 'default'} text={t(online ? 'dashboard.workers.online' : 'dashboard.workers.offline')} />
      ),
    },
    { title: t('dashboard.workers.lastSeen'), dataIndex: 'last_seen_at', render: (at: string) => <span title={formatDateTime(at)}>{formatShortDateTime(at)}</span> },
    { title: t('dashboard.workers.started'), dataIndex: 'started_at', render: (at: string) => <span title={formatDateTime(at)}>{formatShortDateTime(at)}</span> },
  ];
  return (
    <Table<Worker>
      rowKey="name"
      size="small"
      aria-label={t('dashboard.workers.tableLabel')}
      columns={columns}
      dataSource={workers}
      pagination={false}
      scroll={{ x: 'max-content' }}
      locale={{
        emptyText: (
          <Typography.Paragraph type="secondary" style={{ margin: 16 }}>
            {t('dashboard.workers.empty')} <Typography.Text code>easytune worker</Typography.Text>
          </Typography.Paragraph>
        ),
      }}
    />
  );
}
