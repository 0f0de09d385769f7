import { useMemo } from 'react';
import type { RunSeries } from '../api/types';
import { Chart, type ChartOption } from '../components/chart';
import { formatTimeOfDay, viewerTimeZone } from '../format/format';
import { useI18n } from '../i18n/i18n';

/** The freshness lag at the end of a bucket (or now, for the current one), minutes; null when unknown. */
export function lagMinutes(
  atMs: number,
  bucketMs: number,
  lastSuccessAt: string | null,
  now: number,
): number | null {
  if (lastSuccessAt === null) return null;
  const end = Math.min(atMs + bucketMs, now);
  return Math.max(0, Math.round((end - Date.parse(lastSuccessAt)) / 6_000) / 10);
}

/** 24 hours of freshness lag and rows written per flow, as two charts. */
export function WallCharts({
  series,
  dark,
  now,
}: {
  readonly series: RunSeries;
  readonly dark: boolean;
  readonly now: number;
}) {
  const { t, locale } = useI18n();
  const zone = viewerTimeZone();
  const options = useMemo(() => {
    const base = (): ChartOption => ({
      tooltip: { trigger: 'axis' },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: {
        type: 'time',
        axisLabel: { formatter: (value: number) => formatTimeOfDay(value, locale, zone) },
      },
      yAxis: { type: 'value', minInterval: 1 },
    });
    const points = (pick: (flow: RunSeries['flows'][number], index: number) => number | null) =>
      series.flows.map((flow) => ({
        name: flow.flow,
        type: 'line',
        showSymbol: false,
        connectNulls: false,
        data: flow.points.map((point, index) => [Date.parse(point.at), pick(flow, index)]),
      }));
    const lag: ChartOption = {
      ...base(),
      series: points((flow, index) => {
        const point = flow.points[index];
        if (point === undefined || Date.parse(point.at) > now) return null;
        return lagMinutes(Date.parse(point.at), series.bucketMs, point.lastSuccessAt, now);
      }),
    };
    const throughput: ChartOption = {
      ...base(),
      series: points((flow, index) => flow.points[index]?.written ?? 0).map((entry) => ({
        ...entry,
        type: 'bar',
        stack: 'written',
      })),
    };
    return { lag, throughput };
  }, [series, t, locale, zone, now]);
  return (
    <div className="wall-charts">
      <section className="panel">
        <h2>{t('wall.chartLag')}</h2>
        <Chart option={options.lag} height="var(--chart-height)" dark={dark} label={t('wall.chartLag')} />
      </section>
      <section className="panel">
        <h2>{t('wall.chartThroughput')}</h2>
        <Chart
          option={options.throughput}
          height="var(--chart-height)"
          dark={dark}
          label={t('wall.chartThroughput')}
        />
      </section>
    </div>
  );
}
