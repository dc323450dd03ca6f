import {
  CheckCircleOutlined,
  ClockCircleOutlined,
  CloseCircleOutlined,
  FileSearchOutlined,
  MinusCircleOutlined,
  SyncOutlined,
} from '@ant-design/icons';
import { Tag, theme } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/types';
import { useAppSelector } from '../../app/hooks';
import { selectTheme } from '../preferences/preferencesSlice';

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

type Hue = 'purple' | 'gold' | 'blue' | 'orange' | 'green' | 'red';

const LOOK: Record<JobStatus, { hue: Hue | null; icon: ReactNode }> = {
  validating_files: { hue: 'purple', icon: <FileSearchOutlined /> },
  queued: { hue: 'gold', icon: <ClockCircleOutlined /> },
  running: { hue: 'blue', icon: <SyncOutlined spin /> },
  cancelling: { hue: 'orange', icon: <SyncOutlined spin /> },
  succeeded: { hue: 'green', icon: <CheckCircleOutlined /> },
  failed: { hue: 'red', icon: <CloseCircleOutlined /> },
  cancelled: { hue: null, icon: <MinusCircleOutlined /> },
};

// antd's preset tag text (colour 6 or 7 on colour 1) is as low as 2.2:1 for green and gold; the
// 9th shade in light mode and the 8th in dark keep every status at 5.6:1 or better (WCAG AA).
const TEXT_SHADE = { light: 9, dark: 8 } as const;

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
  const { token } = theme.useToken();
  const mode = useAppSelector(selectTheme);
  const { hue, icon } = LOOK[status];
  const palette = token as unknown as Record<string, string>;
  const style = hue
    ? { color: palette[`${hue}${TEXT_SHADE[mode]}`], background: palette[`${hue}1`], borderColor: palette[`${hue}3`] }
    : undefined;
  return (
    <Tag icon={icon} style={style} data-status={status}>
      {t(`jobs.status.${status}`)}
    </Tag>
  );
}
