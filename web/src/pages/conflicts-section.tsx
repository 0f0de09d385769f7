import type { ApiClient } from '../api/client';
import type { Conflict, Page } from '../api/types';
import { useAction } from '../components/actions';
import { usePoll } from '../components/use-poll';
import { formatDateTime, viewerTimeZone } from '../format/format';
import { useI18n, type MessageKey } from '../i18n/i18n';

const CHOICES: readonly { readonly take: string; readonly label: MessageKey }[] = [
  { take: 'source', label: 'conflicts.takeSource' },
  { take: 'target', label: 'conflicts.takeTarget' },
  { take: 'merge', label: 'conflicts.merge' },
];

function shown(value: unknown): string {
  return value === null || value === undefined
    ? '∅'
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
}

/** A two-way flow's parked conflicts: both versions side by side; an operator settles one. */
export function ConflictsSection({
  client,
  flow,
  canOperate,
}: {
  readonly client: ApiClient;
  readonly flow: string;
  readonly canOperate: boolean;
}) {
  const { t, locale } = useI18n();
  const zone = viewerTimeZone();
  const run = useAction();
  const path = `/flows/${encodeURIComponent(flow)}/conflicts`;
  const conflicts = usePoll(
    () => client.get<Page<Conflict>>(`${path}?limit=50`),
    10_000,
    `conflicts-${flow}`,
  );
  const items = conflicts.data?.items ?? [];
  return (
    <section className="panel" id="conflicts">
      <h2>
        {t('conflicts.title')} ({conflicts.data?.total ?? items.length})
      </h2>
      {items.length === 0 ? <p className="muted">{t('conflicts.none')}</p> : null}
      {items.map((conflict) => {
        const fields = [...new Set([...Object.keys(conflict.source), ...Object.keys(conflict.target)])];
        return (
          <article key={conflict.id} className="conflict">
            <h3>
              {t('dlq.key')} {conflict.key} · {formatDateTime(conflict.detectedAt, locale, zone)}
            </h3>
            <p className="reason">{conflict.reason}</p>
            <table>
              <thead>
                <tr>
                  <th>{t('dlq.field')}</th>
                  <th>{t('conflicts.source')}</th>
                  <th>{t('conflicts.target')}</th>
                </tr>
              </thead>
              <tbody>
                {fields.map((field) => (
                  <tr key={field} className={conflict.fields.includes(field) ? 'differs' : ''}>
                    <td>{field}</td>
                    <td>{shown(conflict.source[field])}</td>
                    <td>{shown(conflict.target[field])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {canOperate
              ? CHOICES.map((choice) => (
                  <button
                    key={choice.take}
                    type="button"
                    className="action"
                    onClick={() =>
                      void run(
                        t('conflicts.confirm', { key: conflict.key, flow, take: t(choice.label) }),
                        async () => {
                          await client.post(`${path}/resolve`, { key: conflict.key, take: choice.take });
                          conflicts.refresh();
                          return t('conflicts.did', { key: conflict.key, take: t(choice.label) });
                        },
                      )
                    }
                  >
                    {t(choice.label)}
                  </button>
                ))
              : null}
          </article>
        );
      })}
    </section>
  );
}
