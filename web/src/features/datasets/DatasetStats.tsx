import { Alert, Descriptions, Flex, Statistic, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useMessage } from '../../i18n/messages';
import { formatCount, formatShare } from './format';
import { reportOf } from './report';
import type { Dataset } from './uploadDataset';

const PERCENTILES = ['tokens_p50', 'tokens_p90', 'tokens_p95', 'tokens_p99', 'tokens_max'] as const;

/** What the upload measured: size in examples and tokens, length spread, duplicates, languages. */
// Kinds trained by the preference intent (pairs, labelled answers).
const PREFERENCE = ['preference', 'kto'];

export function DatasetStats({ dataset }: { dataset: Dataset }) {
  const { t } = useTranslation();
  const message = useMessage();
  const report = reportOf(dataset);
  if (!report) return <Alert type="info" showIcon message={t('datasets.stats.missing')} />;
  const { stats } = report;
  const languages = Object.entries(stats.languages).sort(([, a], [, b]) => b - a);

  const corpus = report.kind === 'corpus';

  return (
    <Flex vertical gap={16}>
      <Flex gap={8} align="center" wrap>
        <Typography.Text strong>{t('datasets.stats.kind')}</Typography.Text>
        <Tag color={corpus ? 'purple' : PREFERENCE.includes(report.kind) ? 'magenta' : 'blue'}>{t(`datasets.kinds.${report.kind}`, { defaultValue: report.kind })}</Tag>
      </Flex>
      {report.warnings.map((warning, index) =>
        warning.code === 'ignored' ? (
          // Fields the file carries that training does not read: the server names them.
          <Alert key={`ignored-${index}`} type="info" showIcon message={t('datasets.stats.warnings')} description={message(warning.detail, warning.message)} />
        ) : (
          <Alert
            key={`${warning.code}-${index}`}
            type="warning"
            showIcon
            message={t(`datasets.warnings.${warning.code}.${Number(warning.params.answer_tokens) > 0 ? 'title' : 'titleNoAnswers'}`, { defaultValue: warning.message, ...warning.params })}
            description={t(`datasets.warnings.${warning.code}.plan`, { defaultValue: '', ...warning.params })}
          />
        ),
      )}
      <Flex gap={32} wrap>
        <Statistic title={t('datasets.stats.examples')} value={formatCount(stats.examples)} />
        <Statistic title={t('datasets.stats.totalTokens')} value={formatCount(stats.total_tokens)} />
        {stats.is_chat && <Statistic title={t('datasets.stats.labelledTokens')} value={formatCount(report.labelled_tokens)} />}
        <Statistic title={t('datasets.stats.duplicates')} value={formatCount(report.duplicates)} />
        {corpus ? (
          <Statistic title={t('datasets.stats.blocks', { max: formatCount(report.max_length) })} value={formatCount(report.blocks)} />
        ) : (
          <Statistic
            title={t('datasets.stats.truncated', { max: formatCount(report.max_length) })}
            value={formatCount(report.truncated)}
          />
        )}
      </Flex>
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, sm: 2, lg: 5 }}
        title={t('datasets.stats.lengths')}
        items={PERCENTILES.map((key) => ({
          key,
          label: t(`datasets.stats.${key}`),
          children: formatCount(stats[key]),
        }))}
      />
      <Flex gap={8} wrap align="center">
        <Typography.Text strong>{t('datasets.stats.languages')}</Typography.Text>
        {languages.length === 0 && <Typography.Text type="secondary">—</Typography.Text>}
        {languages.map(([language, share]) => (
          <Tag key={language}>
            {t(`datasets.languages.${language}`, { defaultValue: language })} {formatShare(share)}
          </Tag>
        ))}
        {stats.is_chat && stats.mean_assistant_tokens > 0 && (
          <Typography.Text type="secondary">
            {t('datasets.stats.meanAnswer', { tokens: formatCount(Math.round(stats.mean_assistant_tokens)) })}
          </Typography.Text>
        )}
      </Flex>
      {report.notes.length > 0 && (
        <Flex vertical gap={4}>
          <Typography.Text strong>{t('datasets.stats.notes')}</Typography.Text>
          <ul style={{ margin: 0, paddingInlineStart: 20 }}>
            {report.notes.map((note, i) => (
              <li key={note}>
                <Typography.Text>{message(report.note_details[i], note)}</Typography.Text>
              </li>
            ))}
          </ul>
        </Flex>
      )}
      {report.tokenizer && (
        <Typography.Text type="secondary">{t('datasets.stats.tokenizer', { name: report.tokenizer })}</Typography.Text>
      )}
    </Flex>
  );
}
