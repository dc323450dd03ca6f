import { useEffect, useRef } from 'react';
import { echarts, type ChartOption } from './echarts';

interface Props {
  option: ChartOption;
  theme: 'light' | 'dark';
  height: number;
}

// Without layout (a hidden tab, or a test's DOM) the width reads 0; start at this and let the
// resize observer correct it once the element is laid out.
const FALLBACK_WIDTH = 600;

/**
 * One ECharts instance on a div: created per theme, given each new option, resized with its box.
 * (echarts-for-react 3 creates every chart twice and warns about the disposed first one.)
 */
export function EChart({ option, theme, height }: Props) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const latest = useRef(option);
  useEffect(() => {
    latest.current = option;
  });

  useEffect(() => {
    const node = element.current;
    if (!node) return;
    const width = node.clientWidth || FALLBACK_WIDTH;
    const instance = echarts.init(node, theme === 'dark' ? 'dark' : undefined, { renderer: 'svg', width, height });
    instance.setOption(latest.current);
    chart.current = instance;
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => instance.resize({ width: 'auto', height }));
    observer?.observe(node);
    return () => {
      observer?.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [theme, height]);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={element} style={{ height, width: '100%' }} />;
}
