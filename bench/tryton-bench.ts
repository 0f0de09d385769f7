/**
 * Customers per second written into a real Tryton, batched (`batch` records per create/write
 * call) and one record per call, in the same run against the same server, so the two numbers
 * compare. Each record is a party with an email and a first address, as the CRM flow writes them.
 *
 *   npx tsx bench/tryton-bench.ts [customers=500] [batch=100]
 *
 * Starts its own Tryton (test/support/tryton.ts: a copy of the freshly set-up SQLite database on
 * a free port) unless TRYTON_BENCH_URL names one (admin/admin). Not run by CI.
 */
import type { TargetRecord, TargetSpec } from '../src/core/connector.js';
import { silentLogger } from '../src/core/logger.js';
import { trytonConnector } from '../src/connectors/tryton/index.js';
import { startTestTryton } from '../test/support/tryton.js';

const customers = Number(process.argv[2] ?? 500);
const batch = Number(process.argv[3] ?? 100);

const target: TargetSpec = {
  flow: 'bench-customers',
  table: 'party.party',
  key: 'code',
  columns: ['code', 'name', 'email', 'address.street', 'address.city'],
  types: {},
  onDelete: { mode: 'ignore' },
};

function records(prefix: string): TargetRecord[] {
  return Array.from({ length: customers }, (_, index) => {
    const code = `${prefix}-${index}`;
    return {
      key: code,
      op: 'upsert',
      values: {
        code,
        name: `Customer ${code}`,
        email: `c${index}@${prefix.toLowerCase()}.example`,
        'address.street': `${index} Main St`,
        'address.city': 'Springfield',
      },
    };
  });
}

async function main(): Promise<void> {
  const own = process.env.TRYTON_BENCH_URL === undefined ? await startTestTryton() : undefined;
  const url = process.env.TRYTON_BENCH_URL ?? own?.url ?? '';
  const connector = trytonConnector.create(
    trytonConnector.configSchema.parse({ type: 'tryton', url, user: 'admin', password: 'admin', batch }),
    { name: 'bench', logger: silentLogger },
  );
  const signal = new AbortController().signal;
  const run = Date.now().toString(36).toUpperCase();
  try {
    await connector.probe(signal); // logs in, so the login is not timed

    let started = performance.now();
    const batched = await connector.writeBatch(target, records(`B${run}`), signal);
    const batchedSeconds = (performance.now() - started) / 1_000;

    started = performance.now();
    let singleWritten = 0;
    for (const record of records(`S${run}`))
      singleWritten += (await connector.writeBatch(target, [record], signal)).written;
    const singleSeconds = (performance.now() - started) / 1_000;

    const batchedRate = batched.written / batchedSeconds;
    const singleRate = singleWritten / singleSeconds;
    const result = {
      customers,
      batch,
      batched: {
        written: batched.written,
        seconds: +batchedSeconds.toFixed(2),
        perSecond: +batchedRate.toFixed(1),
      },
      oneByOne: {
        written: singleWritten,
        seconds: +singleSeconds.toFixed(2),
        perSecond: +singleRate.toFixed(1),
      },
      speedup: +(batchedRate / singleRate).toFixed(2),
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `Tryton parties with email + address: ${result.batched.perSecond}/s batched (${batch} per call) vs ${result.oneByOne.perSecond}/s one by one (×${result.speedup})`,
    );
  } finally {
    await connector.close();
    await own?.stop();
  }
}

await main();
