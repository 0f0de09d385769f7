import { useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Page, ReconcileJob, Reconciliation } from '../api/types';
import { useAction } from '../components/actions';
import { usePoll } from '../components/use-poll';
import { formatDateTime, formatNumber, viewerTimeZone } from '../format/format';
import { useI18n } from '../i18n/i18n';

function shown(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value);
}

/** Past reconciles of the flow, the latest one's differing records, and (operator) a new one. */
export function ReconcileSection({
  client,
  flow,
  canOperate,
}: {
  readonly client: ApiClient;
  readonly flow: string;
  readonly canOperate: boolean;
}) {
  const { t, v, locale } = useI18n();
  const zone = viewerTimeZone();
  const run = useAction();
  const [openKey, setOpenKey] = useState<string>();
  const base = `/flows/${encodeURIComponent(flow)}`;
  const history = usePoll(
    () => client.get<Page<Reconciliation>>(`${base}/reconciliations?limit=20`),
    30_000,
    `reconciles-${flow}`,
  );
  const job = usePoll(
    () => client.get<{ reconcile: ReconcileJob | null }>(`${base}/reconcile`),
    10_000,
    `reconcile-${flow}`,
  );
  const current = job.data?.reconcile ?? null;
  const differences = current?.report?.differences ?? [];
  return (
    <section className="panel" id="reconcile">
      <h2>{t('reconcile.title')}</h2>
      {canOperate ? (
        <button
          type="button"
          className="action"
          disabled={current?.running === true}
          onClick={() =>
            void run(t('reconcile.confirm', { flow }), async () => {
              await client.post(`${base}/reconcile`, { mode: 'checksum' });
              job.refresh();
              return t('reconcile.did', { flow });
            })
          }
        >
          {t('reconcile.start')}
        </button>
      ) : null}
      {current?.running === true ? <p>{t('reconcile.running')}</p> : null}
      {current?.error === undefined ? null : <p className="warn">{current.error.message}</p>}
      {differences.length === 0 ? null : (
        <>
          <h3>{t('reconcile.differences')}</h3>
          <table>
            <thead>
              <tr>
                <th>{t('dlq.key')}</th>
                <th>{t('reconcile.kind')}</th>
                <th>{t('reconcile.fields')}</th>
              </tr>
            </thead>
            <tbody>
              {differences.map((difference) => (
                <tr
                  key={difference.key}
                  className="clickable"
                  onClick={() => {
                    setOpenKey(openKey === difference.key ? undefined : difference.key);
                  }}
                >
                  <td>{difference.key}</td>
                  <td>{v(difference.kind)}</td>
                  <td>
                    {(difference.fields ?? []).join(', ')}
                    {difference.note === undefined ? '' : ` (${difference.note})`}
                    {openKey === difference.key ? (
                      <dl className="drill">
                        {[
                          ...new Set([
                            ...Object.keys(difference.source ?? {}),
                            ...Object.keys(difference.target ?? {}),
                          ]),
                        ].map((field) => (
                          <div key={field}>
                            <dt>{field}</dt>
                            <dd>
                              {shown(difference.source?.[field])} ↔ {shown(difference.target?.[field])}
                            </dd>
                          </div>
                        ))}
                      </dl>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h3>{t('reconcile.history')}</h3>
      {(history.data?.items ?? []).length === 0 ? (
        <p className="muted">{t('reconcile.none')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>{t('reconcile.finished')}</th>
              <th>{t('reconcile.mode')}</th>
              <th>{t('runs.status')}</th>
              <th>{t('reconcile.missing')}</th>
              <th>{t('reconcile.extra')}</th>
              <th>{t('reconcile.different')}</th>
              <th>{t('reconcile.repaired')}</th>
            </tr>
          </thead>
          <tbody>
            {(history.data?.items ?? []).map((entry) => (
              <tr key={entry.id}>
                <td>{formatDateTime(entry.finishedAt, locale, zone)}</td>
                <td>{v(entry.mode)}</td>
                <td>{v(entry.status)}</td>
                <td>{formatNumber(entry.missing, locale)}</td>
                <td>{formatNumber(entry.extra, locale)}</td>
                <td>{formatNumber(entry.different, locale)}</td>
                <td>{formatNumber(entry.repaired, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
