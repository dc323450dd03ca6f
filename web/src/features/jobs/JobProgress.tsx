import { Progress, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDuration } from './format';
import { reportedProgress } from './metrics';
import { isLive, type Job } from './status';

const dash = '—';

/** A running job's progress bar with its step (a dash for jobs that are not running). */
export function JobProgressCell({ job, eta = false }: { job: Job; eta?: boolean }) {
  const { t } = useTranslation();
  const progress = reportedProgress(job);
  if (job.status !== 'running' && job.status !== 'cancelling') {
    return <Typography.Text type="secondary">{job.status === 'succeeded' ? '100%' : dash}</Typography.Text>;
  }
  if (progress === null) return <Typography.Text type="secondary">{t('jobs.list.starting')}</Typography.Text>;
  const percent = progress.fraction === null ? 0 : Math.round(progress.fraction * 1000) / 10;
  const step =
    progress.totalSteps === null
      ? t('jobs.list.stepOnly', { step: progress.step })
      : t('jobs.list.stepOf', { step: progress.step, total: progress.totalSteps });
  const left = eta && progress.etaSeconds !== null ? t('jobs.detail.eta', { time: formatDuration(progress.etaSeconds, t) }) : null;
  return (
    <div style={{ minWidth: 140 }}>
      <Progress
        percent={percent}
        size="small"
        status={isLive(job.status) ? 'active' : 'normal'}
        aria-label={t('jobs.list.progressOf', { name: job.name })}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {left ? `${step} · ${left}` : step}
      </Typography.Text>
    </div>
  );
}
