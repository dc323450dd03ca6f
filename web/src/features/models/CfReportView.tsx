import { Badge, Descriptions, Flex, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { CF_STATUS, cfLevel, readCfReport, type CfLanguage, type CfPoint } from './cf';
import { CfExplanation } from './CfExplanation';
import { formatCount, formatNumber, type Model } from './modelInfo';

const dash = '—';
const num = (value: number | null) => (value === null ? dash : formatNumber(value));

/** The CF score against the run's thresholds: ok / above warning / above stop. */
export function CfScoreTag({ score, warn, stop }: { score: number; warn: number | null; stop: number | null }) {
  const { t } = useTranslation();
  const level = cfLevel(score, warn, stop);
  // A status dot with text in the normal colour: coloured tag text is below AA contrast.
  return <Badge status={CF_STATUS[level]} text={`${formatNumber(score)} · ${t(`models.cf.level.${level}`)}`} />;
}

/** The forgetting report of an adapter: the newest score against its thresholds, per language, history. */
export function CfReportView({ model }: { model: Model }) {
  const { t } = useTranslation();
  const report = readCfReport(model.cf_report);
  if (!report) return <Typography.Text type="secondary">{t('models.cf.none')}</Typography.Text>;
  if (!report.enabled) return <Typography.Text type="secondary">{t('models.cf.disabled')}</Typography.Text>;
  const { latest, warn, stop } = report;
  const reference = report.reference === 'builtin' ? t('models.cf.builtin') : report.reference;

  return (
    <Flex vertical gap={16}>
      <Descriptions column={1} size="small" bordered>
        <Descriptions.Item label={t('models.cf.score')}>
          {latest ? <CfScoreTag score={latest.score} warn={warn} stop={stop} /> : t('models.cf.notMeasured')}
        </Descriptions.Item>
        <Descriptions.Item label={t('models.cf.warn')}>{num(warn)}</Descriptions.Item>
        <Descriptions.Item label={t('models.cf.stop')}>{stop === null ? t('models.cf.neverStops') : num(stop)}</Descriptions.Item>
        {latest && <Descriptions.Item label={t('models.cf.pplRatio')}>{num(latest.pplRatio)}</Descriptions.Item>}
        {latest && <Descriptions.Item label={t('models.cf.kl')}>{num(latest.kl)}</Descriptions.Item>}
        {reference && <Descriptions.Item label={t('models.cf.reference')}>{reference}</Descriptions.Item>}
        {report.tokens !== null && <Descriptions.Item label={t('models.cf.tokens')}>{formatCount(report.tokens)}</Descriptions.Item>}
        {report.formula && (
          <Descriptions.Item label={t('models.cf.formula')}>
            <Typography.Text code>{report.formula}</Typography.Text>
          </Descriptions.Item>
        )}
      </Descriptions>
      {latest && <CfExplanation score={latest.score} pplRatio={latest.pplRatio} kl={latest.kl} warn={warn} stop={stop} />}
      {report.languages.length > 0 && (
        <Table<CfLanguage>
          size="small"
          rowKey="language"
          pagination={false}
          aria-label={t('models.cf.perLanguage')}
          title={() => t('models.cf.perLanguage')}
          dataSource={report.languages}
          columns={[
            { title: t('models.cf.language'), dataIndex: 'language' },
            { title: t('models.cf.score'), dataIndex: 'score', render: (score: number) => <CfScoreTag score={score} warn={warn} stop={stop} /> },
          ]}
        />
      )}
      {report.history.length > 1 && (
        <Table<CfPoint & { key: number }>
          size="small"
          pagination={false}
          aria-label={t('models.cf.history')}
          title={() => t('models.cf.history')}
          dataSource={report.history.map((p, key) => ({ ...p, key }))}
          columns={[
            { title: t('models.cf.step'), dataIndex: 'step', render: (step: number | null) => step ?? dash },
            { title: t('models.cf.score'), dataIndex: 'score', render: (score: number) => formatNumber(score) },
            { title: t('models.cf.pplRatio'), dataIndex: 'pplRatio', render: num },
            { title: t('models.cf.kl'), dataIndex: 'kl', render: num },
          ]}
        />
      )}
    </Flex>
  );
}
