import { useState } from 'react';
import type { ApiClient } from '../api/client';
import type { AuditEntry, Page } from '../api/types';
import { usePoll } from '../components/use-poll';
import { formatDateTime, viewerTimeZone } from '../format/format';
import { useI18n } from '../i18n/i18n';

/** Who did what, when, and what came of it; filtered by flow and action. */
export function AuditPage({
  client,
  flows,
}: {
  readonly client: ApiClient;
  readonly flows: readonly string[];
}) {
  const { t, v, locale } = useI18n();
  const zone = viewerTimeZone();
  const [flow, setFlow] = useState('');
  const [action, setAction] = useState('');
  const [older, setOlder] = useState<{ key: string; items: AuditEntry[]; next: number | undefined }>();
  const query = new URLSearchParams({ limit: '100' });
  if (flow !== '') query.set('flow', flow);
  if (action.trim() !== '') query.set('action', action.trim());
  const key = query.toString();
  const page = usePoll(() => client.get<Page<AuditEntry>>(`/audit?${key}`), 30_000, `audit-${key}`);
  const extra = older?.key === key ? older : undefined;
  const next = extra === undefined ? page.data?.nextBefore : extra.next;
  const entries = [...(page.data?.items ?? []), ...(extra?.items ?? [])];
  return (
    <div className="audit-page">
      <h1>{t('audit.title')}</h1>
      <form
        className="filters panel"
        onSubmit={(event) => {
          event.preventDefault();
        }}
      >
        <label>
          {t('audit.filterFlow')}{' '}
          <select
            value={flow}
            onChange={(event) => {
              setFlow(event.target.value);
            }}
          >
            <option value="">{t('common.all')}</option>
            {flows.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.filterAction')}{' '}
          <input
            value={action}
            onChange={(event) => {
              setAction(event.target.value);
            }}
          />
        </label>
      </form>
      {entries.length === 0 ? (
        <p className="muted">{page.data === undefined ? t('common.loading') : t('audit.none')}</p>
      ) : (
        <div className="table-scroll panel">
          <table className="audit">
            <thead>
              <tr>
                <th>{t('audit.at')}</th>
                <th>{t('audit.actor')}</th>
                <th>{t('audit.action')}</th>
                <th>{t('common.flow')}</th>
                <th>{t('audit.subject')}</th>
                <th>{t('audit.result')}</th>
                <th>{t('audit.outcome')}</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} className={`result-${entry.result}`}>
                  <td>{formatDateTime(entry.at, locale, zone)}</td>
                  <td>{entry.actor}</td>
                  <td>{entry.action}</td>
                  <td>{entry.flow ?? '—'}</td>
                  <td>{entry.subject ?? '—'}</td>
                  <td>{v(entry.result)}</td>
                  <td className="reason">{entry.outcome ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next === undefined ? null : (
        <button
          type="button"
          onClick={() => {
            const more = new URLSearchParams(query);
            more.set('before', String(next));
            void client.get<Page<AuditEntry>>(`/audit?${more.toString()}`).then((older2) => {
              setOlder({ key, items: [...(extra?.items ?? []), ...older2.items], next: older2.nextBefore });
            });
          }}
        >
          {t('common.more')}
        </button>
      )}
    </div>
  );
}
