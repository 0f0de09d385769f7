import { useState } from 'react';
import type { ApiClient } from '../api/client';
import type { AlertEpisode, Page } from '../api/types';
import { usePoll } from '../components/use-poll';
import { formatDateTime, viewerTimeZone } from '../format/format';
import { useI18n } from '../i18n/i18n';

function AlertTable({ episodes }: { readonly episodes: readonly AlertEpisode[] }) {
  const { t, locale } = useI18n();
  const zone = viewerTimeZone();
  if (episodes.length === 0) return <p className="muted">{t('alerts.none')}</p>;
  return (
    <table className="alerts">
      <thead>
        <tr>
          <th>{t('alerts.severity')}</th>
          <th>{t('alerts.rule')}</th>
          <th>{t('common.flow')}</th>
          <th>{t('alerts.since')}</th>
          <th>{t('alerts.until')}</th>
          <th>{t('alerts.summary')}</th>
        </tr>
      </thead>
      <tbody>
        {episodes.map((episode) => (
          <tr key={episode.id} className={`severity-${episode.severity}`}>
            <td>
              {t(
                episode.severity === 'critical' || episode.severity === 'info'
                  ? `severity.${episode.severity}`
                  : 'severity.warning',
              )}
            </td>
            <td>{episode.rule}</td>
            <td>
              <a href={`#/flows/${encodeURIComponent(episode.flow)}`}>{episode.flow}</a>
            </td>
            <td>{formatDateTime(episode.startsAt, locale, zone)}</td>
            <td>{episode.endsAt === undefined ? '—' : formatDateTime(episode.endsAt, locale, zone)}</td>
            <td className="reason">{episode.summary}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Alerts firing now, and the history of resolved ones (paged). */
export function AlertsPage({ client }: { readonly client: ApiClient }) {
  const { t } = useI18n();
  const firing = usePoll(
    () => client.get<Page<AlertEpisode>>('/alerts?status=firing&limit=200'),
    15_000,
    'alerts-firing',
  );
  const [older, setOlder] = useState<AlertEpisode[]>([]);
  const [before, setBefore] = useState<number | undefined>();
  const resolved = usePoll(
    () => client.get<Page<AlertEpisode>>('/alerts?status=resolved&limit=50'),
    60_000,
    'alerts-resolved',
  );
  const next = before ?? resolved.data?.nextBefore;
  return (
    <div className="alerts-page">
      <h1>{t('alerts.title')}</h1>
      <section className="panel">
        <h2>
          {t('alerts.firing')} ({firing.data?.total ?? 0})
        </h2>
        <AlertTable episodes={firing.data?.items ?? []} />
      </section>
      <section className="panel">
        <h2>
          {t('alerts.history')}: {t('alerts.resolved')} ({resolved.data?.total ?? 0})
        </h2>
        <AlertTable episodes={[...(resolved.data?.items ?? []), ...older]} />
        {next === undefined ? null : (
          <button
            type="button"
            onClick={() =>
              void client
                .get<Page<AlertEpisode>>(`/alerts?status=resolved&limit=50&before=${next}`)
                .then((page) => {
                  setOlder((list) => [...list, ...page.items]);
                  setBefore(page.nextBefore ?? -1);
                })
            }
            disabled={next === -1}
          >
            {t('common.more')}
          </button>
        )}
      </section>
    </div>
  );
}
