import type { ApiClient } from '../api/client';
import type { ClusterStatus } from '../api/types';
import { usePoll } from '../components/use-poll';
import { formatDateTime, formatDuration, formatNumber, viewerTimeZone } from '../format/format';
import { useI18n } from '../i18n/i18n';

/** How often the panel asks for the cluster (a few small Redis reads on the server). */
const CLUSTER_REFRESH_MS = 30_000;

/**
 * The scaled-out deployment (docs/scale-out.md): the leading scheduler, each worker with the age of
 * its last heartbeat at `now` (epoch ms), the queues. Nothing for `runtime: local`.
 */
export function ClusterView({ cluster, now }: { readonly cluster: ClusterStatus; readonly now: number }) {
  const { t, locale } = useI18n();
  if (cluster.runtime === 'local') return null;
  const { leader } = cluster;
  return (
    <section className="panel cluster" data-panel="cluster">
      <h2>{t('cluster.title')}</h2>
      <p>
        <span className={`lamp lamp-${leader === undefined ? 'red' : 'green'}`} aria-hidden="true" />
        {leader === undefined
          ? t('cluster.noLeader')
          : t('cluster.leader', {
              id: leader.id,
              since: formatDateTime(leader.since, locale, viewerTimeZone()),
            })}
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>{t('cluster.worker')}</th>
              <th>{t('cluster.concurrency')}</th>
              <th>{t('cluster.running')}</th>
              <th>{t('cluster.jobsDone')}</th>
              <th>{t('cluster.heartbeat')}</th>
            </tr>
          </thead>
          <tbody>
            {cluster.workers.map((worker) => (
              <tr key={worker.id} className={worker.state === 'draining' ? 'warn' : ''}>
                <td>
                  {worker.host} · {worker.pid}
                  {worker.state === 'draining' ? ` (${t('cluster.draining')})` : ''}
                </td>
                <td>{formatNumber(worker.concurrency, locale)}</td>
                <td>{worker.running.length === 0 ? '—' : worker.running.join(', ')}</td>
                <td>{formatNumber(worker.jobsDone, locale)}</td>
                <td>
                  {t('cluster.ago', {
                    age: formatDuration(Math.max(0, now - Date.parse(worker.heartbeatAt)), locale),
                  })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cluster.workers.length === 0 ? <p className="warn">{t('cluster.noWorkers')}</p> : null}
      <ul>
        {Object.entries(cluster.queues).map(([name, depth]) => (
          <li key={name}>
            <strong>{name}</strong>{' '}
            {t('cluster.queue', {
              waiting: formatNumber(depth.waiting, locale),
              active: formatNumber(depth.active, locale),
              delayed: formatNumber(depth.delayed, locale),
              failed: formatNumber(depth.failed, locale),
            })}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The Cluster panel of the wall screen: `GET /api/v1/cluster` every 30 s; nothing for `runtime: local`. */
export function ClusterPanel({ client }: { readonly client: ApiClient }) {
  const { t } = useI18n();
  const polled = usePoll(() => client.get<ClusterStatus>('/cluster'), CLUSTER_REFRESH_MS, 'cluster');
  if (polled.data !== undefined) return <ClusterView cluster={polled.data} now={polled.at ?? Date.now()} />;
  if (polled.error === undefined) return null;
  return (
    <section className="panel cluster">
      <h2>{t('cluster.title')}</h2>
      <p className="warn">{t('common.error', { message: polled.error.message })}</p>
    </section>
  );
}
