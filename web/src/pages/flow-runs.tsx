import { useMemo } from 'react';
import type { RunRecord } from '../api/types';
import { Chart, type ChartOption } from '../components/chart';
import {
  formatDateTime,
  formatDuration,
  formatNumber,
  formatTimeOfDay,
  viewerTimeZone,
} from '../format/format';
import { useI18n } from '../i18n/i18n';

/** The flow's latest runs: records and duration as a chart, then as a table. */
export function FlowRuns({ runs }: { readonly runs: readonly RunRecord[] }) {
  const { t, v, locale } = useI18n();
  const zone = viewerTimeZone();
  const option = useMemo((): ChartOption => {
    const ascending = [...runs].reverse();
    const at = (run: RunRecord) => formatTimeOfDay(Date.parse(run.startedAt), locale, zone);
    const bar = (name: string, pick: (run: RunRecord) => number) => ({
      name,
      type: 'bar',
      stack: 'records',
      data: ascending.map(pick),
    });
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 56, right: 56, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: ascending.map(at) },
      yAxis: [
        { type: 'value', minInterval: 1 },
        { type: 'value', name: 's', position: 'right' },
      ],
      series: [
        bar(t('runs.written'), (run) => run.counts.written),
        bar(t('runs.quarantined'), (run) => run.counts.quarantined),
        bar(t('runs.failed'), (run) => run.counts.failed),
        { name: t('runs.read'), type: 'line', data: ascending.map((run) => run.counts.read) },
        {
          name: t('runs.duration'),
          type: 'line',
          yAxisIndex: 1,
          data: ascending.map((run) => (run.durationMs === undefined ? null : run.durationMs / 1_000)),
        },
      ],
    };
  }, [runs, t, locale, zone]);
  return (
    <section className="panel" id="runs">
      <h2>{t('flow.runs')}</h2>
      <Chart option={option} height="var(--chart-height)" dark={false} label={t('flow.runsChart')} />
      <div className="table-scroll">
        <table className="runs">
          <thead>
            <tr>
              <th>{t('runs.started')}</th>
              <th>{t('runs.trigger')}</th>
              <th>{t('runs.status')}</th>
              <th>{t('runs.duration')}</th>
              <th>{t('runs.read')}</th>
              <th>{t('runs.written')}</th>
              <th>{t('runs.quarantined')}</th>
              <th>{t('runs.failed')}</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} className={`status-${run.status}`}>
                <td>{formatDateTime(run.startedAt, locale, zone)}</td>
                <td>{v(run.trigger)}</td>
                <td>{v(run.status)}</td>
                <td>{run.durationMs === undefined ? '—' : formatDuration(run.durationMs, locale)}</td>
                <td>{formatNumber(run.counts.read, locale)}</td>
                <td>{formatNumber(run.counts.written, locale)}</td>
                <td>{formatNumber(run.counts.quarantined, locale)}</td>
                <td>{formatNumber(run.counts.failed, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
