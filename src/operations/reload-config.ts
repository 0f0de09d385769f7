import { ConfigError, type ConfigIssue } from '../config/config-error.js';
import { audited } from '../core/audit.js';
import { describeConfigChange, isConfigUnchanged, type ConfigChangeSummary } from '../core/config-diff.js';
import type { ConfigReloader, PreparedConfig } from './config-reloader.js';
import type { Actor } from './flow-control.js';
import { invalidRequest, type OperationsContext } from './operations-context.js';

/** What a reload did: `applied` (and what changed), `unchanged`, or `refused` with every problem. */
export type ReloadResult =
  | {
      readonly status: 'applied' | 'unchanged';
      readonly summary: ConfigChangeSummary;
      /** The summary as log lines: `flow orders: fields.status map changed; cadence every 5m → 1m`. */
      readonly changes: readonly string[];
    }
  | {
      readonly status: 'refused';
      /** Every problem, with the path of its key; the config in use keeps running. */
      readonly issues: readonly ConfigIssue[];
    };

/** How long the live schema check of a reload may take. */
const SCHEMA_CHECK_MS = 60_000;

/**
 * Reads the config again and, when it is valid, runs it from the next cycle of each flow on
 * (through the runtime of this process when there is one). An invalid config is refused with
 * every problem and the config in use keeps running. Audited as `config.reload`.
 */
export function reloadConfig(context: OperationsContext, request: Actor): Promise<ReloadResult> {
  const { reloader } = context;
  if (reloader === undefined) return Promise.reject(invalidRequest('this process has no config file to reload'));
  // One reload of a config at a time, whoever asks (a file change, SIGHUP, the API): each one
  // checks and applies against the config the previous one left.
  const previous = inProgress.get(reloader) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => reloadOnce(context, reloader, request));
  inProgress.set(reloader, next);
  return next;
}

/** The last reload asked for, per config, so reloads queue instead of overlapping. */
const inProgress = new WeakMap<ConfigReloader, Promise<ReloadResult>>();

async function reloadOnce(
  context: OperationsContext,
  reloader: ConfigReloader,
  request: Actor,
): Promise<ReloadResult> {
  const { runtime } = context;
  return audited<ReloadResult>(
    context.state,
    { actor: request.actor, action: 'config.reload', subject: reloader.source },
    async () => {
      let prepared: PreparedConfig;
      try {
        prepared = await reloader.prepareReload(AbortSignal.timeout(SCHEMA_CHECK_MS));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        const result: ReloadResult = { status: 'refused', issues: error.issues };
        const problems = error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
        return {
          value: result,
          isSuccess: false,
          outcome: `refused, the config in use runs on: ${problems}`,
        };
      }
      let summary = prepared.summary;
      try {
        if (runtime !== undefined) summary = await runtime.reconfigure(prepared.context);
      } catch (error) {
        await prepared.discard();
        throw error;
      }
      prepared.commit();
      const changes = describeConfigChange(summary);
      const status = isConfigUnchanged(summary) ? 'unchanged' : 'applied';
      const result: ReloadResult = { status, summary, changes };
      return {
        value: result,
        isSuccess: true,
        outcome: status === 'unchanged' ? 'nothing changed' : changes.join('; '),
      };
    },
  );
}
