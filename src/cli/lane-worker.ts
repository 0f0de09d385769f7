import { parentPort, workerData } from 'node:worker_threads';
import { compileFlow } from '../core/flow.js';
import { SyncError, toSyncError } from '../core/errors.js';
import { runLaneTask } from '../core/lane-task.js';
import type { Connector } from '../core/connector.js';
import type { Logger, LogFields } from '../core/logger.js';
import { loadEngineConfig } from './engine-config.js';
import { relayedStateStore } from './state-relay.js';
import {
  laneFingerprint,
  type FromLaneWorker,
  type LaneWorkerData,
  type ToLaneWorker,
} from './lane-threads.js';

// One lane of a partitioned backfill in a worker thread (lane-threads.ts starts it): opens the
// config file and the flow's two connections, runs the lane with the cycle's state store (through
// messages, state-relay.ts), reports each commit to the cycle, and closes its connections. Logs go to the cycle's logger, which redacts secrets.

const port = parentPort;
if (port === null) throw new Error('lane-worker.js runs only as a worker thread (lane-threads.ts)');
const { configPath, fingerprint, task } = workerData as LaneWorkerData;
const tell = (message: FromLaneWorker): void => {
  port.postMessage(message);
};
const abort = new AbortController();
const stop = new AbortController();
const relay = relayedStateStore(port);
port.on('message', (message: ToLaneWorker) => {
  if (message.type === 'state-result' || message.type === 'state-error') relay.settle(message);
  else if (message.type === 'abort')
    abort.abort(new SyncError('CYCLE_ABORTED', `Flow "${task.flow}": the cycle stopped`));
  else stop.abort();
});

function forwardingLogger(fields: LogFields = {}): Logger {
  const send =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, extra?: LogFields): void => {
      tell({ type: 'log', level, message, fields: { ...fields, ...extra } });
    };
  return {
    debug: () => undefined,
    info: send('info'),
    warn: send('warn'),
    error: send('error'),
    child: (more) => forwardingLogger({ ...fields, ...more }),
  };
}

async function main(): Promise<boolean> {
  const loaded = loadEngineConfig(configPath);
  if (laneFingerprint(loaded.config, task.flow) !== fingerprint)
    throw new SyncError(
      'CONFIG_INVALID',
      `Flow "${task.flow}": ${configPath} changed since the cycle started (flow or connections); backfill lane ${task.lane} did not run and resumes once the config is reloaded`,
      { flow: task.flow, retryable: false },
    );
  const spec = loaded.config.flows[task.flow];
  if (spec === undefined)
    throw new SyncError('CONFIG_INVALID', `Flow "${task.flow}" is not in ${configPath}`);
  const log = forwardingLogger({ flow: task.flow, lane: task.lane });
  const { state } = relay;
  const opened: Connector[] = [];
  try {
    const flow = compileFlow(task.flow, spec);
    const connect = (name: string): Connector => {
      const factory = loaded.factories.get(name);
      if (factory === undefined)
        throw new SyncError('CONFIG_INVALID', `connections.${name}: no such connection`);
      const connector = factory(log, state);
      opened.push(connector);
      return connector;
    };
    const source = connect(flow.sourceConnection);
    const target = flow.targetConnection === flow.sourceConnection ? source : connect(flow.targetConnection);
    return await runLaneTask(
      task,
      { flow, source, target, state, log },
      {
        onCommitted: (added, letters) => {
          tell({ type: 'committed', added, letters });
        },
        onWrite: (sample) => {
          tell({ type: 'write', sample });
        },
      },
      abort.signal,
      stop.signal,
    );
  } finally {
    await Promise.allSettled(opened.map((connector) => connector.close()));
  }
}

// The last message, then the port closes so the thread (and with it the process) can end.
main()
  .then(
    (isComplete) => {
      tell({ type: 'done', isComplete });
    },
    (error: unknown) => {
      tell({ type: 'failed', error: toSyncError(error, { flow: task.flow }).toJSON() });
    },
  )
  .finally(() => {
    port.close();
  });
