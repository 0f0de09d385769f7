import { useMemo } from 'react';
import type { Decision, FlowStatus } from '../api/types';
import { Chart, type ChartOption } from '../components/chart';
import { formatDateTime, formatDuration, formatTimeOfDay, viewerTimeZone } from '../format/format';
import { dailySpans, type Span } from '../format/zoned-spans';
import { useI18n } from '../i18n/i18n';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for ECharts' HTML tooltips. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** The window and the daily peaks of a cadence between two instants, in its zone. */
function shadedSpans(
  cadence: FlowStatus['cadence'],
  zone: string,
  from: number,
  to: number,
  labels: { window: string; peak: string },
): Span[] {
  const spans: Span[] = [];
  if (cadence.window !== undefined)
    spans.push(...dailySpans(cadence.window, zone, from, to, `${labels.window} ${cadence.window.text}`));
  for (const peak of cadence.peaks ?? [])
    // Peaks on days of the month are left unshaded rather than shaded on the wrong days.
    if (peak.between !== undefined && peak.monthDays === undefined)
      spans.push(...dailySpans(peak.between, zone, from, to, `${labels.peak} ${peak.name}`, peak.days));
  return spans;
}

/**
 * Interval and batch over time, each adaptive decision a point with its reason, the window and
 * daily peaks shaded; below, every decision with its reason.
 */
export function CadenceTimeline({
  decisions,
  cadence,
  serverTimeZone,
  now,
}: {
  readonly decisions: readonly Decision[];
  readonly cadence: FlowStatus['cadence'];
  readonly serverTimeZone: string;
  readonly now: number;
}) {
  const { t, v, locale } = useI18n();
  const zone = viewerTimeZone();
  const ascending = useMemo(
    () => [...decisions].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    [decisions],
  );
  const option = useMemo((): ChartOption => {
    const first = ascending[0];
    const from = Math.min(now - 86_400_000, first === undefined ? now : Date.parse(first.at) - 60_000);
    // Seconds while every interval is under two minutes, else minutes.
    const isSeconds = ascending.every(
      (decision) => Math.max(decision.intervalMs, decision.intervalMsBefore) < 120_000,
    );
    const unitMs = isSeconds ? 1_000 : 60_000;
    const intervalLabel = t(isSeconds ? 'cadence.intervalSeconds' : 'cadence.interval');
    const interval = (ms: number) => Math.round((ms / unitMs) * 100) / 100;
    const start = first === undefined ? [] : [{ value: [from, interval(first.intervalMsBefore)] }];
    const batchStart = first === undefined ? [] : [{ value: [from, first.batchBefore] }];
    const last = ascending.at(-1);
    const spans = shadedSpans(cadence, cadence.timezone ?? serverTimeZone, from, now, {
      window: t('cadence.window'),
      peak: t('cadence.peak'),
    });
    return {
      tooltip: {
        trigger: 'item',
        formatter: (params: { data?: { reason?: string; value: [number, number] } }) => {
          const data = params.data;
          if (data === undefined) return '';
          const when = escapeHtml(formatDateTime(new Date(data.value[0]).toISOString(), locale, zone));
          return data.reason === undefined ? when : `${when}<br/>${escapeHtml(data.reason)}`;
        },
      },
      legend: { top: 0 },
      grid: { left: 56, right: 56, top: 36, bottom: 28 },
      xAxis: {
        type: 'time',
        min: from,
        max: now,
        axisLabel: { formatter: (value: number) => formatTimeOfDay(value, locale, zone) },
      },
      yAxis: [
        { type: 'value', name: intervalLabel },
        { type: 'value', name: t('cadence.batch'), position: 'right' },
      ],
      series: [
        {
          name: intervalLabel,
          type: 'line',
          step: 'end',
          symbolSize: 9,
          data: [
            ...start,
            ...ascending.map((decision) => ({
              value: [Date.parse(decision.at), interval(decision.intervalMs)],
              reason: decision.reason,
            })),
            ...(last === undefined ? [] : [{ value: [now, interval(last.intervalMs)], symbol: 'none' }]),
          ],
          markArea: {
            silent: true,
            itemStyle: { color: 'rgba(250, 173, 20, 0.15)' },
            data: spans.map((span) => [{ xAxis: span.from, name: span.label }, { xAxis: span.to }]),
          },
        },
        {
          name: t('cadence.batch'),
          type: 'line',
          step: 'end',
          yAxisIndex: 1,
          symbolSize: 5,
          data: [
            ...batchStart,
            ...ascending.map((decision) => ({
              value: [Date.parse(decision.at), decision.batch],
              reason: decision.reason,
            })),
            ...(last === undefined ? [] : [{ value: [now, last.batch], symbol: 'none' }]),
          ],
        },
      ],
    };
  }, [ascending, cadence, serverTimeZone, now, t, locale, zone]);
  const shaded = [
    cadence.window === undefined ? undefined : t('cadence.window'),
    (cadence.peaks ?? []).length > 0 ? t('cadence.peak') : undefined,
  ].filter((entry): entry is string => entry !== undefined);
  return (
    <section className="panel" id="cadence">
      <h2>{t('cadence.title')}</h2>
      <Chart option={option} height="var(--chart-height)" dark={false} label={t('cadence.title')} />
      {shaded.length === 0 ? null : (
        <p className="muted">{t('cadence.shaded', { what: shaded.join(', ') })}</p>
      )}
      <h3>{t('cadence.decisions')}</h3>
      {decisions.length === 0 ? (
        <p className="muted">{t('cadence.none')}</p>
      ) : (
        <table className="decisions">
          <thead>
            <tr>
              <th>{t('cadence.at')}</th>
              <th>{t('cadence.change')}</th>
              <th>{t('cadence.health')}</th>
              <th>{t('cadence.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {decisions.map((decision) => (
              <tr key={`${decision.at}-${decision.intervalMs}-${decision.batch}`}>
                <td>{formatDateTime(decision.at, locale, zone)}</td>
                <td>
                  {formatDuration(decision.intervalMsBefore, locale)} →{' '}
                  {formatDuration(decision.intervalMs, locale)}; {decision.batchBefore} → {decision.batch}
                </td>
                <td>{v(decision.health)}</td>
                <td className="reason">{decision.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
