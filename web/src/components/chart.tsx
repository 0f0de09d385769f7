import { BarChart, LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the parts of ECharts the dashboard draws with, so the bundle stays small.
echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
  CanvasRenderer,
]);

/** The option object of a chart (ECharts' own). */
export type ChartOption = echarts.EChartsCoreOption;

type OptionPart = Record<string, unknown>;

function withFontSize(part: unknown, key: string, fontSize: number): unknown {
  const scale = (entry: unknown): unknown => {
    if (typeof entry !== 'object' || entry === null) return entry;
    const own = entry as OptionPart;
    const style = (own[key] ?? {}) as OptionPart;
    return { ...own, [key]: { fontSize, ...style } };
  };
  return Array.isArray(part) ? part.map(scale) : scale(part);
}

/**
 * The option with its text in the page's type size (ECharts draws 12 px otherwise, which is
 * unreadable on a 4K TV): axis labels and names, legend, tooltip.
 */
export function scaledOption(option: ChartOption, fontSize: number): ChartOption {
  const axis = (part: unknown): unknown =>
    withFontSize(withFontSize(part, 'axisLabel', fontSize), 'nameTextStyle', fontSize);
  return {
    ...option,
    textStyle: { fontSize },
    ...(option.xAxis === undefined ? {} : { xAxis: axis(option.xAxis) }),
    ...(option.yAxis === undefined ? {} : { yAxis: axis(option.yAxis) }),
    ...(option.legend === undefined ? {} : { legend: withFontSize(option.legend, 'textStyle', fontSize) }),
    ...(option.tooltip === undefined ? {} : { tooltip: withFontSize(option.tooltip, 'textStyle', fontSize) }),
  };
}

/** One ECharts chart, resized with its box; `dark` for the wall screen. */
export function Chart({
  option,
  height,
  dark,
  label,
}: {
  readonly option: ChartOption;
  readonly height: string;
  readonly dark: boolean;
  readonly label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);

  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const instance = echarts.init(element, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => {
      instance.resize();
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = undefined;
    };
  }, [dark]);

  useEffect(() => {
    const element = box.current;
    const fontSize =
      element === null ? 12 : Math.round(parseFloat(getComputedStyle(element).fontSize) * 0.85);
    chart.current?.setOption(
      { backgroundColor: 'transparent', animation: false, ...scaledOption(option, fontSize) },
      { notMerge: true },
    );
  }, [option, dark]);

  return <div ref={box} className="chart" style={{ height }} role="img" aria-label={label} />;
}
