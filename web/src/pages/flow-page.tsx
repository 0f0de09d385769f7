import { useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Decision, FlowStatus, Page, RunRecord } from '../api/types';
import { useAction } from '../components/actions';
import { usePoll } from '../components/use-poll';
import { formatDateTime, viewerTimeZone } from '../format/format';
import { useI18n } from '../i18n/i18n';
import { CadenceTimeline } from './cadence-timeline';
import { ConflictsSection } from './conflicts-section';
import { DeadLettersSection } from './dead-letters-section';
import { FlowConfig } from './flow-config';
import { FlowRuns } from './flow-runs';
import { ReconcileSection } from './reconcile-section';

/** Run now, pause/resume and resync a key: the operator's buttons of a flow. */
function FlowActions({
  client,
  status,
  onChanged,
}: {
  readonly client: ApiClient;
  readonly status: FlowStatus;
  readonly onChanged: () => void;
}) {
  const { t, v } = useI18n();
  const run = useAction();
  const [key, setKey] = useState('');
  const base = `/flows/${encodeURIComponent(status.flow)}`;
  const flow = status.flow;
  const act = (
    question: string,
    path: string,
    done: (result: Record<string, unknown>) => string,
    body?: unknown,
  ) =>
    void run(question, async () => {
      const result = await client.post<Record<string, unknown>>(`${base}${path}`, body);
      onChanged();
      return done(result);
    });
  return (
    <div className="actions">
      <button
        type="button"
        className="action"
        onClick={() => {
          act(t('flow.confirmRun', { flow }), '/run', (result) =>
            t('flow.didRun', { flow, outcome: v(String(result.outcome)) }),
          );
        }}
      >
        {t('flow.runNow')}
      </button>
      {status.paused === undefined ? (
        <button
          type="button"
          className="action"
          onClick={() => {
            act(t('flow.confirmPause', { flow }), '/pause', () => t('flow.didPause', { flow }), {
              reason: 'dashboard',
            });
          }}
        >
          {t('flow.pause')}
        </button>
      ) : (
        <button
          type="button"
          className="action"
          onClick={() => {
            act(t('flow.confirmResume', { flow }), '/resume', () => t('flow.didResume', { flow }));
          }}
        >
          {t('flow.resume')}
        </button>
      )}
      <form
        className="resync"
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim() === '') return;
          act(
            t('resync.confirm', { key, flow }),
            '/resync',
            (result) =>
              t('resync.did', {
                key,
                status: v(String(result.status)),
                written: String((result.counts as { written?: number } | undefined)?.written ?? 0),
              }),
            { keys: [key.trim()] },
          );
        }}
      >
        <label>
          {t('resync.title')}:{' '}
          <input
            value={key}
            onChange={(event) => {
              setKey(event.target.value);
            }}
            placeholder={t('resync.key')}
          />
        </label>
        <button type="submit" className="action">
          {t('resync.submit')}
        </button>
      </form>
    </div>
  );
}

/** One flow for the engineer: status, actions, runs, cadence timeline, records that need a person, reconcile, config. */
export function FlowPage({
  client,
  flow,
  canOperate,
  serverTimeZone,
}: {
  readonly client: ApiClient;
  readonly flow: string;
  readonly canOperate: boolean;
  readonly serverTimeZone: string;
}) {
  const { t, v, locale } = useI18n();
  const zone = viewerTimeZone();
  const base = `/flows/${encodeURIComponent(flow)}`;
  const status = usePoll(() => client.get<{ flow: FlowStatus }>(base), 10_000, `flow-${flow}`);
  const runs = usePoll(() => client.get<Page<RunRecord>>(`${base}/runs?limit=50`), 10_000, `runs-${flow}`);
  const decisions = usePoll(
    () => client.get<{ decisions: Decision[] }>(`${base}/cadence/decisions`),
    30_000,
    `decisions-${flow}`,
  );
  const current = status.data?.flow;
  if (current === undefined)
    return (
      <p>
        {status.error === undefined
          ? t('common.loading')
          : t('common.error', { message: status.error.message })}
      </p>
    );
  const refresh = (): void => {
    status.refresh();
    runs.refresh();
  };
  return (
    <div className="flow-page">
      <h1>
        {t('common.flow')}: {current.flow}
      </h1>
      <section className="panel status">
        <p>
          {t('flow.status')}:{' '}
          {current.paused === undefined
            ? v(current.activity ?? '—')
            : t('tile.paused', { by: current.paused.by })}{' '}
          · {t('flow.lastRun')}:{' '}
          {current.lastRun === undefined
            ? t('common.never')
            : `${v(current.lastRun.status)}, ${formatDateTime(current.lastRun.startedAt, locale, zone)}`}{' '}
          · {t('flow.nextRun')}:{' '}
          {current.nextRunAt === undefined ? '—' : formatDateTime(current.nextRunAt, locale, zone)} (
          {current.nextRunReason})
        </p>
        {canOperate ? <FlowActions client={client} status={current} onChanged={refresh} /> : null}
      </section>
      <FlowRuns runs={runs.data?.items ?? []} />
      <CadenceTimeline
        decisions={decisions.data?.decisions ?? []}
        cadence={current.cadence}
        serverTimeZone={serverTimeZone}
        now={status.at ?? Date.now()}
      />
      <DeadLettersSection client={client} flow={flow} canOperate={canOperate} onChanged={refresh} />
      {current.direction === 'both' ? (
        <ConflictsSection client={client} flow={flow} canOperate={canOperate} />
      ) : null}
      <ReconcileSection client={client} flow={flow} canOperate={canOperate} />
      <FlowConfig client={client} flow={flow} />
    </div>
  );
}
