import { Alert, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Job } from '../status';

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);

/** A failed job's error, up front: what went wrong (the server's message), the setting, and the fix. */
export function JobErrorAlert({ job }: { job: Job }) {
  const { t, i18n } = useTranslation();
  if (!job.error) return null;
  const code = text(job.error.code);
  const message = text(job.error.message);
  const param = text(job.error.param);
  const fixKey = `jobs.error.fixes.${code}`;
  const fix = code && i18n.exists(fixKey) ? t(fixKey) : null;
  // A cancelled or retried job can carry the error of an earlier attempt: shown, but not as alarming.
  const type = job.status === 'failed' ? 'error' : 'warning';
  return (
    <Alert
      type={type}
      showIcon
      role="alert"
      style={{ marginBottom: 16 }}
      message={<Typography.Text strong>{t('jobs.error.title')}</Typography.Text>}
      description={
        <>
          {message && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 8 }}>{message}</Typography.Paragraph>}
          {fix && (
            <Typography.Paragraph style={{ marginBottom: 8 }}>
              <Typography.Text strong>{t('jobs.error.fix')}: </Typography.Text>
              {fix}
            </Typography.Paragraph>
          )}
          <Typography.Text type="secondary">
            {code && (
              <>
                {t('jobs.error.code')}: <Typography.Text code>{code}</Typography.Text>
              </>
            )}
            {param && (
              <>
                {' · '}
                {t('jobs.error.param')}: <Typography.Text code>{param}</Typography.Text>
              </>
            )}
          </Typography.Text>
        </>
      }
    />
  );
}
