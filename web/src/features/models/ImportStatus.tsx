import { Alert, Descriptions, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Model } from './modelInfo';

const COLORS: Record<string, string> = { probing: 'processing', usable: 'success', flagged: 'error', probe_failed: 'warning' };

interface Probes {
  unsafe?: boolean;
  outcome_message?: string | null;
  error?: string;
  totals?: { refused?: { base?: { rate?: number | null }; tuned?: { rate?: number | null } } };
}

const percent = (rate: number | null | undefined) => (typeof rate === 'number' ? `${Math.round(rate * 100)}%` : '—');

/** An imported adapter's scan and probe verdicts (nothing for trained adapters). */
export function ImportStatus({ model }: { model: Model }) {
  const { t } = useTranslation();
  if (!model.import_status) return null;
  const report = (model.import_report ?? {}) as { scan?: { passed?: boolean }; probes?: Probes };
  const probes = report.probes;
  const refused = probes?.totals?.refused;
  return (
    <section aria-label={t('models.import.section')}>
      <Descriptions column={1} size="small" bordered title={t('models.import.section')}>
        <Descriptions.Item label={t('models.import.status')}>
          <Tag color={COLORS[model.import_status]}>{t(`models.import.statuses.${model.import_status}`)}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('models.import.scan')}>{report.scan?.passed ? t('models.import.scanPassed') : '—'}</Descriptions.Item>
        {refused && (
          <Descriptions.Item label={t('models.import.refusalRate')}>
            {t('models.import.refusalRates', { base: percent(refused.base?.rate), tuned: percent(refused.tuned?.rate) })}
          </Descriptions.Item>
        )}
      </Descriptions>
      {probes?.outcome_message && <Alert type="error" showIcon message={probes.outcome_message} style={{ marginTop: 8 }} />}
      {probes?.error && <Alert type="warning" showIcon message={probes.error} style={{ marginTop: 8 }} />}
    </section>
  );
}
