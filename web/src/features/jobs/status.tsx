import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloseCircleOutlined,
  FileSearchOutlined,
  MinusCircleOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { Tag } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/types';

export type JobStatus = Schemas['JobStatus'];
export type Job = Schemas['JobPublic'];

export const JOB_STATUSES: JobStatus[] = [
  'validating_files',
  'queued',
  'running',
  'cancelling',
  'succeeded',
  'failed',
  'cancelled',
];

// antd preset colours: readable on light and dark backgrounds alike.
const LOOK: Record<JobStatus, { color: string; icon: ReactNode }> = {
  validating_files: { color: 'purple', icon: <FileSearchOutlined /> },
  queued: { color: 'gold', icon: <ClockCircleOutlined /> },
  running: { color: 'processing', icon: <SyncOutlined spin /> },
  cancelling: { color: 'orange', icon: <SyncOutlined spin /> },
  succeeded: { color: 'success', icon: <CheckCircleOutlined /> },
  failed: { color: 'error', icon: <CloseCircleOutlined /> },
  cancelled: { color: 'default', icon: <MinusCircleOutlined /> },
};

const TERMINAL: ReadonlySet<JobStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** Ended for good: no more events or metrics will come. */
export const isTerminal = (status: JobStatus) => TERMINAL.has(status);

/** Not ended yet: the page should keep watching (lists poll, the detail page streams). */
export const isLive = (status: JobStatus) => !TERMINAL.has(status);

/** The server's transitions table: cancel before the end (not twice), retry after a failure or a cancel. */
export const canCancel = (status: JobStatus) => !TERMINAL.has(status) && status !== 'cancelling';
export const canRetry = (status: JobStatus) => status === 'failed' || status === 'cancelled';

export function StatusTag({ status }: { status: JobStatus }) {
  const { t } = useTranslation();
  const look = LOOK[status];
  return (
    <Tag color={look.color} icon={look.icon} data-status={status}>
      {t(`jobs.status.${status}`)}
    </Tag>
  );
}
