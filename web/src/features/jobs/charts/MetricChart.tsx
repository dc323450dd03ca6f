import { theme as antdTheme } from 'antd';
import { useMemo } from 'react';
import { useAppSelector } from '../../../app/hooks';
import { selectTheme } from '../../preferences/preferencesSlice';
import type { Point } from '../metrics';
import { EChart } from './EChart';
import type { ChartOption, LineSeriesOption } from './echarts';

export interface LineSpec {
  name: string;
  points: Point[];
  /** Draw the points as dots too (sparse series such as eval loss). */
  symbols?: boolean;
}

export interface Threshold {
  name: string;
  value: number;
}

interface Props {
  /** The chart's accessible name (the card around it shows the same words as its title). */
  label: string;
  stepLabel: string;
  lines: LineSpec[];
  thresholds?: Threshold[];
  format?: (value: number) => string;
  height?: number;
}

const defaultFormat = (value: number) => (Math.abs(value) >= 1000 ? value.toFixed(0) : Number(value.toPrecision(4)).toString());

/** A line chart over training steps, in the app's light or dark theme. */
export function MetricChart({ label, stepLabel, lines, thresholds = [], format = defaultFormat, height = 260 }: Props) {
  const mode = useAppSelector(selectTheme);
  const { token } = antdTheme.useToken();

  const option = useMemo<ChartOption>(() => {
    const ceiling = thresholds.length > 0 ? Math.max(...thresholds.map((threshold) => threshold.value)) * 1.1 : null;
    const series: LineSeriesOption[] = lines.map((line, index) => ({
      name: line.name,
      type: 'line',
      data: line.points,
      // Dots while a line is short (one point draws no line at all), a plain line after.
      showSymbol: (line.symbols ?? false) || line.points.length < 15,
      symbolSize: 5,
      sampling: 'lttb',
      // Threshold lines ride on the first series: a mark line needs a series to belong to.
      markLine:
        index === 0 && thresholds.length > 0
          ? {
              silent: true,
              symbol: 'none',
              lineStyle: { type: 'dashed', color: token.colorWarning },
              label: { formatter: '{b}: {c}', position: 'insideEndTop', color: token.colorTextSecondary },
              data: thresholds.map((threshold) => ({ name: threshold.name, yAxis: threshold.value })),
            }
          : undefined,
    }));
    return {
      backgroundColor: 'transparent',
      animation: false, // live updates append points; re-animating the whole line distracts
      textStyle: { fontFamily: token.fontFamily },
      grid: { left: 56, right: 24, top: 40, bottom: 36 },
      legend: { top: 0, textStyle: { color: token.colorText } },
      tooltip: { trigger: 'axis', valueFormatter: (value) => (typeof value === 'number' ? format(value) : String(value ?? '')) },
      xAxis: {
        type: 'value',
        name: stepLabel,
        nameLocation: 'middle',
        nameGap: 24,
        min: 0,
        minInterval: 1,
        axisLabel: { color: token.colorTextSecondary },
        nameTextStyle: { color: token.colorTextSecondary },
      },
      yAxis: {
        type: 'value',
        scale: true,
        // Keep the threshold lines in view even while every value is far below them.
        max: ceiling === null ? undefined : ({ max }: { max: number }) => Math.max(max, ceiling),
        axisLabel: { color: token.colorTextSecondary, formatter: (value: number) => format(value) },
        splitLine: { lineStyle: { color: token.colorBorderSecondary } },
      },
      series,
    };
  }, [lines, thresholds, format, stepLabel, token]);

  return (
    <div role="img" aria-label={label}>
      <EChart option={option} theme={mode} height={height} />
    </div>
  );
}
