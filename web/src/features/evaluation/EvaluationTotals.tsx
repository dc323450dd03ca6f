import { Alert, Descriptions, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/types';
import { useMessage } from '../../i18n/messages';

export type EvaluationSummary = Schemas['EvaluationSummary'];
type Tally = Schemas['TallyPublic'];

const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${Math.round(rate * 100)}%`);

/** learned / kept / refused, before -> after, and the unsafe sentence when the run was flagged. */
export function EvaluationTotals({ summary }: { summary: EvaluationSummary }) {
  const { t } = useTranslation();
  const say = useMessage();
  const { learned, kept, refused, agreed } = summary.totals;
  const count = (tally: Tally) => (tally.total ? t('evaluation.count', { passed: tally.passed, total: tally.total }) : t('evaluation.none'));
  const change = (before: string, after: string) => t('evaluation.beforeAfter', { before, after });
  const rows = [
    { key: 'learned', label: t('evaluation.learned'), children: change(count(learned.base), count(learned.tuned)) },
    {
      key: 'kept',
      label: t('evaluation.kept'),
      children: kept.base_correct ? t('evaluation.keptValue', { kept: kept.kept, total: kept.base_correct, percent: percent(kept.rate) }) : t('evaluation.none'),
    },
    { key: 'refused', label: t('evaluation.refused'), children: change(percent(refused.base.rate), percent(refused.tuned.rate)) },
    { key: 'agreed', label: t('evaluation.agreed'), children: count(agreed) },
  ];
  return (
    <Flex vertical gap={12}>
      {summary.unsafe && summary.outcome_message && (
        <Alert type="error" showIcon role="alert" message={t('evaluation.unsafe')} description={say(summary.outcome_detail, summary.outcome_message)} />
      )}
      <Descriptions aria-label={t('evaluation.totals')} column={{ xs: 1, md: 2 }} size="small" bordered items={rows} />
      <Typography.Text type="secondary">
        {t('evaluation.probeSet', { name: summary.probe_set, tokens: summary.max_new_tokens, seconds: summary.seconds })}
      </Typography.Text>
    </Flex>
  );
}
