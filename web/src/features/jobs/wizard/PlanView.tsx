import { Alert, Card, Flex, Progress, Spin, Statistic, Typography } from 'antd';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { useMessage, type MessageDetail } from '../../../i18n/messages';
import { formatCount } from '../../datasets/format';
import { formatDuration, formatGiB } from './format';
import { PlanSettings } from './PlanSettings';
import type { Plan } from './state';

/** The planner's estimate (intent/plan.py `Estimate`), read from the free-form dict. */
interface Estimate {
  peak_memory_bytes: number;
  memory_budget_bytes: number;
  total_steps: number;
  seconds: number;
  tokens_per_second: number;
  budget_note: string;
  /** budget_note as {code, params}, for the reader's language. */
  budget_detail: MessageDetail | null;
}

const num = (value: unknown) => (typeof value === 'number' ? value : 0);
const isDetail = (value: unknown): value is MessageDetail =>
  typeof value === 'object' && value !== null && typeof (value as MessageDetail).code === 'string';
export function estimateOf(plan: Plan): Estimate {
  const e = plan.estimate;
  return {
    peak_memory_bytes: num(e.peak_memory_bytes),
    memory_budget_bytes: num(e.memory_budget_bytes),
    total_steps: num(e.total_steps),
    seconds: num(e.seconds),
    tokens_per_second: num(e.tokens_per_second),
    budget_note: typeof e.budget_note === 'string' ? e.budget_note : '',
    budget_detail: isDetail(e.budget_detail) ? e.budget_detail : null,
  };
}

function EstimateView({ plan }: { plan: Plan }) {
  const { t } = useTranslation();
  const message = useMessage();
  const e = estimateOf(plan);
  const share = e.memory_budget_bytes > 0 ? Math.min(100, Math.round((e.peak_memory_bytes / e.memory_budget_bytes) * 100)) : 0;
  return (
    <Flex gap={32} wrap align="flex-start">
      <Flex vertical gap={4} style={{ minWidth: 240 }}>
        <Statistic
          title={t('wizard.plan.memory')}
          value={t(e.peak_memory_bytes <= e.memory_budget_bytes ? 'wizard.plan.fits' : 'wizard.plan.doesNotFit', {
            peak: formatGiB(e.peak_memory_bytes),
            budget: formatGiB(e.memory_budget_bytes),
          })}
        />
        <Progress percent={share} size="small" aria-label={t('wizard.plan.memoryShare')} />
        {e.budget_note && <Typography.Text type="secondary">{message(e.budget_detail, e.budget_note)}</Typography.Text>}
      </Flex>
      <Statistic title={t('wizard.plan.time')} value={formatDuration(e.seconds, t)} />
      <Statistic title={t('wizard.plan.steps')} value={formatCount(e.total_steps)} />
      {e.tokens_per_second > 0 && (
        <Statistic title={t('wizard.plan.speed')} value={t('wizard.plan.tokensPerSecond', { n: formatCount(Math.round(e.tokens_per_second)) })} />
      )}
    </Flex>
  );
}

interface Props {
  plan: Plan | null;
  loading: boolean;
  /** The keys the user overrode, marked in the table. */
  overridden: Set<string>;
}

/** The resolved plan: level and why, memory and time, warnings, and each setting with its reason. */
export const PlanView = memo(function PlanView({ plan, loading, overridden }: Props) {
  const { t } = useTranslation();
  const message = useMessage();
  return (
    <Card title={t('wizard.plan.title')} extra={
        loading && (
          <Flex gap={8} align="center" role="status">
            <Spin size="small" />
            <Typography.Text type="secondary">{t('wizard.plan.updating')}</Typography.Text>
          </Flex>
        )
      }>
      {!plan ? (
        loading ? <Spin /> : <Typography.Text type="secondary">{t('wizard.plan.none')}</Typography.Text>
      ) : (
        <Flex vertical gap={16} style={{ opacity: loading ? 0.6 : 1 }} aria-busy={loading}>
          <Alert type="info" message={t('wizard.plan.level', { level: t(`wizard.levels.${plan.level}.title`, { defaultValue: plan.level }) })} />
          <EstimateView plan={plan} />
          {plan.warnings.map((warning, i) => (
            <Alert key={warning} type="warning" showIcon message={message(plan.warning_details?.[i], warning)} />
          ))}
          <PlanSettings plan={plan} overridden={overridden} />
        </Flex>
      )}
    </Card>
  );
});
