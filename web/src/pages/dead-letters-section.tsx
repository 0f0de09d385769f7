import type { ApiClient } from '../api/client';
import type { DeadLetter, Page } from '../api/types';
import { useAction } from '../components/actions';
import { usePoll } from '../components/use-poll';
import { formatDateTime, formatNumber, viewerTimeZone } from '../format/format';
import { useI18n } from '../i18n/i18n';

interface ReplayOutcome {
  readonly flows: readonly {
    readonly replayed: number;
    readonly counts: { readonly written: number };
    readonly stillFailingCount: number;
  }[];
}

/** The flow's open dead letters with field and reason; an operator replays one or all. */
export function DeadLettersSection({
  client,
  flow,
  canOperate,
  onChanged,
}: {
  readonly client: ApiClient;
  readonly flow: string;
  readonly canOperate: boolean;
  readonly onChanged: () => void;
}) {
  const { t, v, locale } = useI18n();
  const zone = viewerTimeZone();
  const run = useAction();
  const path = `/flows/${encodeURIComponent(flow)}/dead-letters`;
  const letters = usePoll(() => client.get<Page<DeadLetter>>(`${path}?limit=100`), 10_000, `dlq-${flow}`);
  const replay = (question: string, ids?: readonly number[]) =>
    run(question, async () => {
      const outcome = await client.post<ReplayOutcome>(`${path}/replay`, ids === undefined ? {} : { ids });
      letters.refresh();
      onChanged();
      const sum = (pick: (entry: ReplayOutcome['flows'][number]) => number) =>
        outcome.flows.reduce((total, entry) => total + pick(entry), 0);
      return t('dlq.didReplay', {
        replayed: sum((entry) => entry.replayed),
        written: sum((entry) => entry.counts.written),
        failing: sum((entry) => entry.stillFailingCount),
      });
    });
  const items = letters.data?.items ?? [];
  const total = letters.data?.total ?? items.length;
  return (
    <section className="panel" id="dead-letters">
      <h2>
        {t('dlq.title')} ({formatNumber(total, locale)})
      </h2>
      {canOperate && total > 0 ? (
        <button
          type="button"
          className="action"
          onClick={() => void replay(t('dlq.confirmReplayAll', { count: total, flow }))}
        >
          {t('dlq.replayAll', { count: formatNumber(total, locale) })}
        </button>
      ) : null}
      {items.length === 0 ? (
        <p className="muted">{letters.data === undefined ? t('common.loading') : t('dlq.none')}</p>
      ) : (
        <div className="table-scroll">
          <table className="dead-letters">
            <thead>
              <tr>
                <th>{t('dlq.key')}</th>
                <th>{t('dlq.field')}</th>
                <th>{t('dlq.kind')}</th>
                <th>{t('dlq.reason')}</th>
                <th>{t('dlq.occurrences')}</th>
                <th>{t('dlq.updated')}</th>
                {canOperate ? <th>{t('flow.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {items.map((letter) => (
                <tr key={letter.id} data-key={letter.key}>
                  <td>{letter.key}</td>
                  <td>{letter.field ?? '—'}</td>
                  <td>{v(letter.kind)}</td>
                  <td className="reason">
                    <code>{letter.code}</code> {letter.reason}
                  </td>
                  <td>{formatNumber(letter.occurrences, locale)}</td>
                  <td>{formatDateTime(letter.updatedAt, locale, zone)}</td>
                  {canOperate ? (
                    <td>
                      <button
                        type="button"
                        className="action"
                        onClick={() =>
                          void replay(t('dlq.confirmReplay', { key: letter.key, flow }), [letter.id])
                        }
                      >
                        {t('dlq.replay')}
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
