import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { cfLevel } from './cf';
import { formatNumber } from './modelInfo';

export interface CfExplanationProps {
  score: number;
  pplRatio: number | null;
  kl: number | null;
  warn: number | null;
  stop: number | null;
}

/** Which sentence says where the score comes from: worse prediction, or drift alone. */
function sourceKey(pplRatio: number | null, kl: number | null): 'driftOnly' | 'worse' | null {
  if (pplRatio === null || kl === null) return null;
  return pplRatio <= 1 ? 'driftOnly' : 'worse';
}

/**
 * The forgetting score in words: what it measures, what this value means (and where it comes
 * from: a worse perplexity, or drift alone), and what to change when it is over the threshold.
 */
export function CfExplanation({ score, pplRatio, kl, warn, stop }: CfExplanationProps) {
  const { t } = useTranslation();
  const level = cfLevel(score, warn, stop);
  const source = sourceKey(pplRatio, kl);
  const values = {
    score: formatNumber(score),
    warn: warn === null ? '' : formatNumber(warn),
    ratio: pplRatio === null ? '' : formatNumber(pplRatio),
    kl: kl === null ? '' : formatNumber(kl),
    percent: pplRatio === null ? '' : Math.round((pplRatio - 1) * 100),
  };
  return (
    <section aria-label={t('models.cf.explain.title')}>
      <Typography.Title level={5}>{t('models.cf.explain.title')}</Typography.Title>
      <Typography.Paragraph>{t('models.cf.explain.what')}</Typography.Paragraph>
      <Typography.Paragraph>
        {t(warn === null ? 'models.cf.explain.noThreshold' : level === 'ok' ? 'models.cf.explain.ok' : 'models.cf.explain.over', values)}
        {source && <> {t(`models.cf.explain.${source}`, values)}</>}
      </Typography.Paragraph>
      {level !== 'ok' && <Typography.Paragraph>{t('models.cf.explain.change')}</Typography.Paragraph>}
    </section>
  );
}
