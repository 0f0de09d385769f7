import type { ApiClient } from '../api/client';
import type { Overview, RunTotals } from '../api/types';
import { usePoll } from '../components/use-poll';
import {
  formatDateTime,
  formatGrowth,
  formatNumber,
  formatPercent,
  growthOf,
  successRate,
  viewerTimeZone,
} from '../format/format';
import { useI18n, type MessageKey } from '../i18n/i18n';
import { ClusterPanel } from './cluster-panel';
import { FlowTile } from './flow-tile';
import { WallCharts } from './wall-charts';

/** How often the wall screen asks for the overview: one request, mostly answered 304. */
export const WALL_REFRESH_MS = 15_000;

function Total({
  label,
  today,
  yesterday,
  metric,
}: {
  readonly label: MessageKey;
  readonly today: number;
  readonly yesterday: number;
  readonly metric: string;
}) {
  const { t, locale } = useI18n();
  const growth = growthOf(today, yesterday);
  return (
    <div className="total">
      <span className="total-label">{t(label)}</span>
      <span className="total-value" data-metric={metric}>
        {formatNumber(today, locale)}
      </span>
      <span className="muted">
        {growth === undefined
          ? t('wall.noYesterday')
          : t('wall.vsYesterday', { growth: formatGrowth(growth, locale) })}
      </span>
    </div>
  );
}

function Totals({ today, yesterday }: { readonly today: RunTotals; readonly yesterday: RunTotals }) {
  const { t, locale } = useI18n();
  const rate = successRate(today.succeeded, today.cycles);
  return (
    <section className="panel totals">
      <h2>{t('wall.totalsToday')}</h2>
      <Total
        label="wall.rowsWritten"
        today={today.written}
        yesterday={yesterday.written}
        metric="written-today"
      />
      <Total label="wall.rowsRead" today={today.read} yesterday={yesterday.read} metric="read-today" />
      <Total label="wall.cycles" today={today.cycles} yesterday={yesterday.cycles} metric="cycles-today" />
      <div className="total">
        <span className="total-label">{t('wall.successRate')}</span>
        <span className="total-value">{rate === undefined ? '—' : formatPercent(rate, locale)}</span>
      </div>
      <Total
        label="wall.quarantined"
        today={today.quarantined}
        yesterday={yesterday.quarantined}
        metric="quarantined-today"
      />
    </section>
  );
}

function Alerts({ firing }: { readonly firing: Overview['alertsFiring'] }) {
  const { t, locale } = useI18n();
  return (
    <section className="panel alerts-summary">
      <h2>{t('wall.alerts')}</h2>
      {(['critical', 'warning', 'info'] as const).map((severity) => (
        <div
          key={severity}
          className={`severity severity-${severity}${firing[severity] > 0 ? ' active' : ''}`}
        >
          <span className="total-value">{formatNumber(firing[severity], locale)}</span>
          <span>{t(`severity.${severity}`)}</span>
        </div>
      ))}
    </section>
  );
}

function Targets({ targets }: { readonly targets: Overview['targets'] }) {
  const { t } = useI18n();
  return (
    <section className="panel targets">
      <h2>{t('wall.targets')}</h2>
      <ul>
        {targets.map((target) => {
          const isBackedOff = target.backedOff.length > 0;
          return (
            <li key={target.connection} className={isBackedOff || target.failing.length > 0 ? 'warn' : ''}>
              <span
                className={`lamp lamp-${isBackedOff ? 'amber' : target.failing.length > 0 ? 'red' : 'green'}`}
                aria-hidden="true"
              />
              <strong>{target.connection}</strong>{' '}
              {isBackedOff
                ? t('wall.targetBackedOff', { flows: target.backedOff.map((entry) => entry.flow).join(', ') })
                : t('wall.targetOk')}
              {target.failing.length > 0
                ? ` · ${t('wall.targetFailing', { flows: target.failing.join(', ') })}`
                : ''}
              {target.backedOff.map((entry) => (
                <div key={entry.flow} className="reason muted">
                  {entry.reason}
                </div>
              ))}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** 大屏: the whole sync at one look, refreshed by one cheap request every 15 s. */
export function WallPage({
  client,
  isWallMode,
}: {
  readonly client: ApiClient;
  readonly isWallMode: boolean;
}) {
  const { t, locale } = useI18n();
  const zone = viewerTimeZone();
  const polled = usePoll(
    () => client.get<Overview>(`/overview?tz=${encodeURIComponent(zone)}`),
    WALL_REFRESH_MS,
    `overview-${zone}`,
  );
  const overview = polled.data;
  if (overview === undefined)
    return (
      <p>
        {polled.error === undefined
          ? t('common.loading')
          : t('common.error', { message: polled.error.message })}
      </p>
    );
  const now = polled.at ?? Date.now();
  return (
    <div className="wall">
      <div className="wall-top">
        <Totals today={overview.totals.today} yesterday={overview.totals.yesterdaySameTime} />
        <Alerts firing={overview.alertsFiring} />
        <Targets targets={overview.targets} />
      </div>
      <h2 className="section-title">{t('wall.flows')}</h2>
      <div className="tiles">
        {overview.flows.map((tile) => (
          <FlowTile key={tile.flow} tile={tile} now={now} isLink={!isWallMode} />
        ))}
      </div>
      <WallCharts series={overview.series} dark={isWallMode} now={now} />
      <ClusterPanel client={client} />
      <p className="muted footnote">
        {t('common.updated', { time: formatDateTime(new Date(now).toISOString(), locale, zone) })} ·{' '}
        {t('common.timeZone', { zone })}
        {polled.error === undefined ? '' : ` · ${t('common.error', { message: polled.error.message })}`}
      </p>
    </div>
  );
}
