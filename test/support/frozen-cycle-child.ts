// A cycle of the `customers` flow (SqliteFlowFixture's files in `dir`) in a process of its own,
// for the fencing test. Arguments: dir, lease owner, write call to hold, lease ttl (ms), batch size.
// Once the target acknowledged write call `holdOnCall`, it writes the file
// `acknowledged` and blocks, synchronously, until the file `resume` appears; the test freezes it
// there with SIGSTOP. Prints the cycle's result as JSON on stdout and its log lines on stderr.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqliteConnector } from '../../src/connectors/sqlite/index.js';
import { runCycle } from '../../src/core/cycle.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger, type LogFields, type Logger } from '../../src/core/logger.js';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { FaultyConnector } from './faulty-connector.js';
import { customersFlowConfig } from './sqlite-flow-fixture.js';

function stderrLogger(context: LogFields): Logger {
  const line =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      process.stderr.write(`${JSON.stringify({ level, message, ...context, ...fields })}\n`);
    };
  return {
    debug: () => undefined,
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    child: (fields) => stderrLogger({ ...context, ...fields }),
  };
}

async function main(): Promise<void> {
  const [dir = '', owner = 'frozen-child', holdOnCall = '2', leaseTtlMs = '1500', batch = '3'] =
    process.argv.slice(2);
  const connector = (name: string, file: string): FaultyConnector =>
    new FaultyConnector(
      sqliteConnector.create({ type: 'sqlite', path: join(dir, file) }, { name, logger: silentLogger }),
    );
  const source = connector('crm', 'crm.db');
  const target = connector('erp', 'erp.db');
  const state = new SqliteStateStore(join(dir, 'state.db'));
  await state.init();
  target.afterWrite((call) => {
    if (call !== Number(holdOnCall)) return;
    writeFileSync(join(dir, 'acknowledged'), String(process.pid));
    // Synchronous on purpose: nothing of this process runs (no lease renewal, no timer) until the
    // test lets it go, so what it does next is the commit of the batch it was writing.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (!existsSync(join(dir, 'resume'))) Atomics.wait(pause, 0, 0, 20);
  });
  const flow = compileFlow('customers', customersFlowConfig({ batch: Number(batch) }));
  const result = await runCycle(
    flow,
    { source, target, state, logger: stderrLogger({}) },
    {
      trigger: 'manual',
      signal: new AbortController().signal,
      owner,
      leaseTtlMs: Number(leaseTtlMs),
    },
  );
  await Promise.allSettled([source.close(), target.close(), state.close()]);
  process.stdout.write(
    JSON.stringify({
      status: result.status,
      runId: result.runId,
      error: result.error?.toJSON(),
      acknowledged: target.acknowledged,
    }),
  );
}

await main();
