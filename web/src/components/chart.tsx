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
    chart.current?.setOption(
      { backgroundColor: 'transparent', animation: false, ...option },
      { notMerge: true },
    );
  }, [option, dark]);

  return <div ref={box} className="chart" style={{ height }} role="img" aria-label={label} />;
}
