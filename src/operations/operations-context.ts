import type { Connector } from '../core/connector.js';
import type { CyclePorts } from '../core/cycle-ports.js';
import { SyncError } from '../core/errors.js';
import type { Flow } from '../core/flow.js';
import type { Logger } from '../core/logger.js';
import type { StateStore } from '../core/state-store.js';
import type { Runtime } from '../runtime/runtime.js';
import type { ConfigReloader } from './config-reloader.js';

/**
 * What every operation works with: the compiled flows, the systems they talk to, the state store
 * and, when flows run in this process (`run`, `serve`), their runtime. The CLI and the API build
 * one and call the operations; neither reaches past it.
 */
export interface OperationsContext {
  readonly flows: readonly Flow[];
  readonly state: StateStore;
  readonly logger: Logger;
  /** The source, target, state and logger of a flow. */
  portsFor(flow: Flow): CyclePorts;
  /** The connector of a named connection (created on first use). */
  connector(name: string): Connector;
  /** The runtime running flows in this process, if any: status shows its live state, run-now and pause go through it. */
  readonly runtime?: Runtime;
  /** Reads the config again for `reloadConfig`; absent where there is no config file. */
  readonly reloader?: ConfigReloader;
  /** Clock, for tests; default `Date.now`. */
  readonly now?: () => number;
}

/** The flow of this name, or FLOW_UNKNOWN naming the flows there are. */
export function findFlow(context: Pick<OperationsContext, 'flows'>, name: string): Flow {
  const flow = context.flows.find((candidate) => candidate.name === name);
  if (flow !== undefined) return flow;
  const known = context.flows.map((candidate) => candidate.name).join(', ');
  throw new SyncError('FLOW_UNKNOWN', `no flow named "${name}" (flows: ${known === '' ? 'none' : known})`, {
    flow: name,
  });
}

/** An operator's request that cannot be carried out as given (HTTP 400, CLI exit 2). */
export function invalidRequest(message: string, where: { flow?: string; key?: string } = {}): SyncError {
  return new SyncError('REQUEST_INVALID', message, where);
}
