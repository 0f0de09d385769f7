import type { FlowTile as Tile } from '../api/types';
import { formatDuration, formatNumber, formatPercent, freshnessLight, successRate } from '../format/format';
import { useI18n } from '../i18n/i18n';

/** One flow on the wall screen: tier, freshness light, today's numbers, cadence and why. */
export function FlowTile({
  tile,
  now,
  isLink,
}: {
  readonly tile: Tile;
  readonly now: number;
  readonly isLink: boolean;
}) {
  const { t, locale } = useI18n();
  const ageMs = tile.lastSuccessAt === null ? undefined : Math.max(0, now - Date.parse(tile.lastSuccessAt));
  const light = freshnessLight(ageMs, tile.objectiveMs);
  const rate = successRate(tile.today.succeeded, tile.today.cycles);
  const isDifferent =
    tile.effectiveIntervalMs !== null &&
    tile.configuredIntervalMs !== null &&
    tile.effectiveIntervalMs !== tile.configuredIntervalMs;
  const name = isLink ? <a href={`#/flows/${encodeURIComponent(tile.flow)}`}>{tile.flow}</a> : tile.flow;
  return (
    <article className={`tile light-${light}`} data-flow={tile.flow}>
      <header>
        <h3 className="tile-name">{name}</h3>
        <span className="tier" title={tile.cadenceText}>
          {t('tile.tier')}: {t(`tier.${tile.tier}`)}
        </span>
      </header>
      <div className="freshness">
        <span className={`lamp lamp-${light}`} aria-hidden="true" />
        <span className="light-label">{t(`light.${light}`)}</span>
        <span className="muted">
          {ageMs === undefined ? t('common.never') : t('tile.age', { age: formatDuration(ageMs, locale) })}
          {tile.objectiveMs === null
            ? ''
            : ` · ${t(tile.isObjectiveConfigured ? 'tile.objective' : 'tile.implied', { objective: formatDuration(tile.objectiveMs, locale) })}`}
        </span>
      </div>
      <dl className="numbers">
        <div>
          <dt>{t('tile.rowsToday')}</dt>
          <dd data-metric="rows-today">{formatNumber(tile.today.written, locale)}</dd>
        </div>
        <div>
          <dt>{t('tile.successRate')}</dt>
          <dd>{rate === undefined ? '—' : formatPercent(rate, locale)}</dd>
        </div>
        <div>
          <dt>{t('tile.deadLetters')}</dt>
          <dd className={tile.openDeadLetters > 0 ? 'warn' : ''}>
            {formatNumber(tile.openDeadLetters, locale)}
          </dd>
        </div>
        <div>
          <dt>{t('tile.conflicts')}</dt>
          <dd className={tile.openConflicts > 0 ? 'warn' : ''}>{formatNumber(tile.openConflicts, locale)}</dd>
        </div>
      </dl>
      <p className="cadence">
        <span className="muted">{t('tile.cadence')}: </span>
        <span title={tile.cadenceText}>
          {tile.configuredIntervalMs === null
            ? tile.cadenceText
            : t('tile.every', { interval: formatDuration(tile.configuredIntervalMs, locale) })}
        </span>
        {isDifferent ? (
          <span className="cadence-differs">
            <br />
            {t('tile.cadenceNow', {
              current: formatDuration(tile.effectiveIntervalMs, locale),
              configured: formatDuration(tile.configuredIntervalMs, locale),
            })}
            {tile.cadenceReason === null ? null : <span className="reason"> — {tile.cadenceReason}</span>}
          </span>
        ) : null}
      </p>
      {tile.pausedBy === null ? null : <p className="warn">{t('tile.paused', { by: tile.pausedBy })}</p>}
      {tile.enabled ? null : <p className="muted">{t('tile.disabled')}</p>}
    </article>
  );
}
