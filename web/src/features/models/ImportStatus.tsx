import { Alert, Button, Descriptions, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useGetModelQuery, useReprobeModelMutation } from '../../api/modelsApi';
import { errorText, toApiError } from '../../api/errors';
import { useMessage, type MessageDetail } from '../../i18n/messages';
import type { Model } from './modelInfo';
import { useModelAccess } from './useModelAccess';

const COLORS: Record<string, string> = { probing: 'processing', usable: 'success', flagged: 'error', probe_failed: 'warning' };

interface Probes {
  unsafe?: boolean;
  outcome_message?: string | null;
  outcome_detail?: MessageDetail | null;
  error?: string;
  totals?: { refused?: { base?: { rate?: number | null }; tuned?: { rate?: number | null } } };
}

const percent = (rate: number | null | undefined) => (typeof rate === 'number' ? `${Math.round(rate * 100)}%` : '—');

const POLL_MS = 5000;

/** An imported adapter's scan and probe verdicts, its probe job, and a way to run the probes
 * again (nothing for trained adapters). While it is probing, the verdict is polled. */
export function ImportStatus({ model }: { model: Model }) {
  const { t } = useTranslation();
  const say = useMessage();
  const access = useModelAccess();
  const probing = model.import_status === 'probing';
  useGetModelQuery(model.id, { skip: !probing, pollingInterval: POLL_MS });
  const [reprobe, reprobing] = useReprobeModelMutation();
  if (!model.import_status) return null;
  const report = (model.import_report ?? {}) as { scan?: { passed?: boolean }; probes?: Probes; probe_job_id?: number };
  const probes = report.probes;
  const jobId = report.probe_job_id;
  const refused = probes?.totals?.refused;
  return (
    <section aria-label={t('models.import.section')}>
      <Descriptions column={1} size="small" bordered title={t('models.import.section')}>
        <Descriptions.Item label={t('models.import.status')}>
          <Tag color={COLORS[model.import_status]}>{t(`models.import.statuses.${model.import_status}`)}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('models.import.scan')}>{report.scan?.passed ? t('models.import.scanPassed') : '—'}</Descriptions.Item>
        {jobId !== undefined && (
          <Descriptions.Item label={t('models.import.probeJob')}>
            <Link to={`/jobs/${jobId}`}>{t('models.import.probeJobLink', { id: jobId })}</Link>
          </Descriptions.Item>
        )}
        {refused && (
          <Descriptions.Item label={t('models.import.refusalRate')}>
            {t('models.import.refusalRates', { base: percent(refused.base?.rate), tuned: percent(refused.tuned?.rate) })}
          </Descriptions.Item>
        )}
      </Descriptions>
      {probes?.outcome_message && <Alert type="error" showIcon message={say(probes.outcome_detail, probes.outcome_message)} style={{ marginTop: 8 }} />}
      {probes?.error && <Alert type="warning" showIcon message={probes.error} style={{ marginTop: 8 }} />}
      {!probing && access.canDelete(model) && (
        <Button style={{ marginTop: 8 }} loading={reprobing.isLoading} onClick={() => void reprobe(model.id)}>
          {t('models.import.reprobe')}
        </Button>
      )}
      {reprobing.error && <Alert type="error" showIcon message={errorText(toApiError(reprobing.error), t)} style={{ marginTop: 8 }} />}
    </section>
  );
}
