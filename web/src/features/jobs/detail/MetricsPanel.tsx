import { Card, Col, Empty, Row, Statistic, Typography, theme } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { MetricChart, type LineSpec, type Threshold } from '../charts/MetricChart';
import { cfLevel } from '../../models/cf';
import { CfExplanation } from '../../models/CfExplanation';
import { cfThresholds, formatMetric, lastCf, lastPoint, metricSeries, type Metric, type Point } from '../metrics';

const formatRate = (value: number) => (value === 0 ? '0' : value.toExponential(1));
const formatRound = (value: number) => Math.round(value).toLocaleString();

interface StatProps {
  title: string;
  point: Point | null;
  format?: (value: number) => string;
  /** Shown under the number in the warning colour (a score over its threshold). */
  warning?: string | null;
}

function Stat({ title, point, format = formatMetric, warning = null }: StatProps) {
  const { token } = theme.useToken();
  const text = point ? format(point[1]) : '—';
  // A named group, so the number can be found by the words beside it (tests, screen readers).
  // The warning is said in words too, never by colour alone.
  return (
    <div role="group" aria-label={title}>
      <Statistic title={title} value={text} formatter={() => text} valueStyle={warning ? { color: token.colorWarningText } : undefined} />
      {warning && <Typography.Text style={{ color: token.colorWarningText }}>{warning}</Typography.Text>}
    </div>
  );
}

function ChartCard({ title, lines, thresholds, format, note }: {
  title: string;
  lines: LineSpec[];
  thresholds?: Threshold[];
  format?: (value: number) => string;
  note?: string;
}) {
  const { t } = useTranslation();
  const count = lines.reduce((sum, line) => sum + line.points.length, 0);
  return (
    <Card size="small" title={title}>
      {note && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          {note}
        </Typography.Paragraph>
      )}
      <MetricChart
        label={t('jobs.metrics.chartLabel', { title, count })}
        stepLabel={t('jobs.metrics.step')}
        lines={lines}
        thresholds={thresholds}
        format={format}
      />
    </Card>
  );
}

interface Props {
  metrics: Metric[];
  spec: Record<string, unknown>;
}

/** The latest numbers and the charts of a job's metrics (loss, learning rate, CF, throughput;
 * for preference runs also the reward margin, accuracy and the answers' log-probabilities). */
export function MetricsPanel({ metrics, spec }: Props) {
  const { t } = useTranslation();
  const data = useMemo(() => metricSeries(metrics), [metrics]);
  const cf = useMemo(() => cfThresholds(spec), [spec]);

  const lossLines = useMemo<LineSpec[]>(
    () => [
      { name: t('jobs.metrics.trainLoss'), points: data.loss },
      { name: t('jobs.metrics.evalLoss'), points: data.evalLoss, symbols: true },
    ],
    [data, t],
  );
  const lrLines = useMemo<LineSpec[]>(() => [{ name: t('jobs.metrics.learningRate'), points: data.lr }], [data, t]);
  const cfLines = useMemo<LineSpec[]>(() => [{ name: t('jobs.metrics.cfScore'), points: data.cf, symbols: true }], [data, t]);
  const tokenLines = useMemo<LineSpec[]>(() => [{ name: t('jobs.metrics.tokensPerSecond'), points: data.tokensPerSecond }], [data, t]);
  const pref = data.preference;
  const rewardLines = useMemo<LineSpec[]>(
    () => [
      { name: t('jobs.metrics.rewardMargin'), points: pref.margin },
      { name: t('jobs.metrics.evalRewardMargin'), points: pref.evalMargin, symbols: true },
      { name: t('jobs.metrics.rewardAccuracy'), points: pref.accuracy },
      { name: t('jobs.metrics.evalRewardAccuracy'), points: pref.evalAccuracy, symbols: true },
    ],
    [pref, t],
  );
  const logpLines = useMemo<LineSpec[]>(
    () => [
      { name: t('jobs.metrics.logpsChosen'), points: pref.chosen },
      { name: t('jobs.metrics.logpsRejected'), points: pref.rejected },
    ],
    [pref, t],
  );
  const preference = pref.margin.length > 0;
  const thresholds = useMemo<Threshold[]>(
    () => [
      ...(cf.warn !== null ? [{ name: t('jobs.metrics.warnThreshold'), value: cf.warn }] : []),
      ...(cf.stop !== null ? [{ name: t('jobs.metrics.stopThreshold'), value: cf.stop }] : []),
    ],
    [cf, t],
  );
  const step = metrics.at(-1)?.step ?? null;
  const latestCf = useMemo(() => lastCf(metrics), [metrics]);
  const cfState = latestCf ? cfLevel(latestCf.score, cf.warn, cf.stop) : 'ok';

  return (
    <section aria-labelledby="job-metrics">
      <Typography.Title level={4} id="job-metrics">
        {t('jobs.metrics.title')}
      </Typography.Title>
      <Row gutter={[16, 16]} style={{ marginBottom: 16 }}>
        <Col xs={12} md={8} xl={4}>
          <Stat title={t('jobs.metrics.step')} point={step === null ? null : [step, step]} format={String} />
        </Col>
        <Col xs={12} md={8} xl={5}>
          <Stat title={t('jobs.metrics.latestLoss')} point={lastPoint(data.loss)} />
        </Col>
        <Col xs={12} md={8} xl={5}>
          <Stat title={t('jobs.metrics.latestEvalLoss')} point={lastPoint(data.evalLoss)} />
        </Col>
        <Col xs={12} md={8} xl={5}>
          <Stat title={t('jobs.metrics.cfScore')} point={lastPoint(data.cf)} warning={cfState === 'ok' ? null : t(`models.cf.level.${cfState}`)} />
        </Col>
        <Col xs={12} md={8} xl={5}>
          <Stat title={t('jobs.metrics.tokensPerSecond')} point={lastPoint(data.tokensPerSecond)} format={formatRound} />
        </Col>
      </Row>
      {latestCf && (
        <Card size="small" style={{ marginBottom: 16 }}>
          <CfExplanation score={latestCf.score} pplRatio={latestCf.pplRatio} kl={latestCf.kl} warn={cf.warn} stop={cf.stop} />
        </Card>
      )}
      {metrics.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('jobs.metrics.noMetrics')} />
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={12}>
            <ChartCard title={t('jobs.metrics.lossChart')} lines={lossLines} />
          </Col>
          <Col xs={24} xl={12}>
            <ChartCard
              title={t('jobs.metrics.cfChart')}
              lines={cfLines}
              thresholds={thresholds}
              note={!cf.enabled ? t('jobs.metrics.cfDisabled') : data.cf.length === 0 ? t('jobs.metrics.noCf') : t('jobs.metrics.cfHelp')}
            />
          </Col>
          {preference && (
            <Col xs={24} xl={12}>
              <ChartCard title={t('jobs.metrics.rewardChart')} lines={rewardLines} note={t('jobs.metrics.rewardHelp')} />
            </Col>
          )}
          {preference && (
            <Col xs={24} xl={12}>
              <ChartCard title={t('jobs.metrics.logpsChart')} lines={logpLines} note={t('jobs.metrics.logpsHelp')} />
            </Col>
          )}
          <Col xs={24} xl={12}>
            <ChartCard title={t('jobs.metrics.lrChart')} lines={lrLines} format={formatRate} />
          </Col>
          <Col xs={24} xl={12}>
            <ChartCard title={t('jobs.metrics.tokensChart')} lines={tokenLines} format={formatRound} />
          </Col>
        </Row>
      )}
    </section>
  );
}
