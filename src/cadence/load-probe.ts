import { randomBytes } from 'node:crypto';
import type { Connector, TargetRecord, TargetSpec } from '../core/connector.js';
import { ConnectorError } from '../core/errors.js';
import { SCRATCH_TABLE_PREFIX } from '../core/scratch-table.js';
import {
  DEFAULT_KNEE_RULES,
  findKnee,
  percentile,
  stopReason,
  type KneeRules,
  type ProbeCurve,
  type ProbeStep,
} from './probe-curve.js';

/** The load steps of a probe, in order: each batch size with one writer, then two. */
export const DEFAULT_PROBE_STEPS: readonly { batchSize: number; concurrency: number }[] = [
  1, 10, 100, 1000,
].flatMap((batchSize) => [
  { batchSize, concurrency: 1 },
  { batchSize, concurrency: 2 },
]);

/** How a load probe runs. */
export interface LoadProbeOptions {
  /** The connection's name, for the curve and messages. */
  readonly connection: string;
  /** Upper bound of the whole probe's write time, in milliseconds; split evenly between steps. */
  readonly maxMs: number;
  /** Aborts the probe (Ctrl-C); the scratch table is dropped all the same. */
  readonly signal: AbortSignal;
  /** Default `DEFAULT_PROBE_STEPS`. */
  readonly steps?: readonly { batchSize: number; concurrency: number }[];
  /** Default `DEFAULT_KNEE_RULES`. */
  readonly rules?: KneeRules;
  /** Most rows one step writes, whatever its time share. Default 20,000. */
  readonly maxRowsPerStep?: number;
  /** Scratch table name; default `syncline_probe_<random hex>`. */
  readonly table?: string;
  /** Monotonic milliseconds; default `performance.now`. */
  readonly now?: () => number;
  /** Called once the scratch table exists, and after each step (progress). */
  readonly onProgress?: (
    event: { kind: 'created'; table: string } | { kind: 'step'; step: ProbeStep },
  ) => void;
}

/** A fresh scratch table name: `syncline_probe_` and 12 random hex digits. */
export function scratchTableName(): string {
  return `${SCRATCH_TABLE_PREFIX}${randomBytes(6).toString('hex')}`;
}

const NOTE = 'Probe row written by syncline probe to measure the target; the table is dropped afterwards. '
  .repeat(3)
  .slice(0, 180);

/** `count` realistic rows of about 250 bytes, keys `<run>-<first>`…, values in canonical form. */
export function probeRecords(run: string, first: number, count: number): TargetRecord[] {
  const stamp = new Date().toISOString().slice(0, 23) + '000';
  return Array.from({ length: count }, (_, index) => {
    const sequence = first + index;
    const key = `${run}-${String(sequence)}`;
    return {
      key,
      op: 'upsert',
      values: {
        id: key,
        account: `ACC-${String(sequence % 100_000).padStart(6, '0')}`,
        amount: `${String(sequence % 1_000_000)}.${String(sequence % 10_000).padStart(4, '0')}`,
        status: sequence % 7 === 0 ? 'cancelled' : 'open',
        note: NOTE,
        updated_at: stamp,
      },
    };
  });
}

/** Read through a call, since a `while` condition's narrowing outlives the awaits in its body. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

interface StepContext {
  readonly connector: Connector;
  readonly target: TargetSpec;
  readonly run: string;
  readonly signal: AbortSignal;
  readonly now: () => number;
  readonly maxRows: number;
  sequence: number;
}

async function runStep(
  context: StepContext,
  batchSize: number,
  concurrency: number,
  budgetMs: number,
): Promise<ProbeStep> {
  const started = context.now();
  const latencies: number[] = [];
  let rows = 0;
  let errors = 0;
  let error: string | undefined;
  const writer = async (): Promise<void> => {
    while (
      errors === 0 &&
      !context.signal.aborted &&
      rows + batchSize <= Math.max(batchSize, context.maxRows)
    ) {
      if (latencies.length >= concurrency && context.now() - started >= budgetMs) return;
      const records = probeRecords(context.run, context.sequence, batchSize);
      context.sequence += batchSize;
      const before = context.now();
      try {
        await context.connector.writeBatch(context.target, records, context.signal);
        latencies.push(context.now() - before);
        rows += batchSize;
      } catch (failure) {
        if (isAborted(context.signal)) return;
        errors += 1;
        error ??= failure instanceof Error ? failure.message : String(failure);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, writer));
  const elapsedMs = Math.max(context.now() - started, 0.001);
  return {
    batchSize,
    concurrency,
    batches: latencies.length,
    rows,
    rowsPerSecond: Math.round((rows / elapsedMs) * 1_000),
    p50Ms: Math.round(percentile(latencies, 50) * 10) / 10,
    p95Ms: Math.round(percentile(latencies, 95) * 10) / 10,
    errors,
    ...(error === undefined ? {} : { error }),
  };
}

/**
 * Load-tests a target connection in a scratch table it creates and always drops (also when the
 * probe fails or is aborted): batches of growing size, by one writer then two, each step for its
 * share of `maxMs`, stopping early past the knee (see `stopReason`). Writes go through the
 * connector's own `writeBatch`. Returns the measured curve.
 */
export async function runLoadProbe(connector: Connector, options: LoadProbeOptions): Promise<ProbeCurve> {
  const createScratchTable = connector.createScratchTable?.bind(connector);
  const dropScratchTable = connector.dropScratchTable?.bind(connector);
  if (createScratchTable === undefined || dropScratchTable === undefined || !connector.capabilities.target)
    throw new ConnectorError(
      'CONFIG_INVALID',
      `connection "${options.connection}" cannot be probed: its connector does not create scratch tables`,
    );
  const table = options.table ?? scratchTableName();
  const rules = options.rules ?? DEFAULT_KNEE_RULES;
  const plan = options.steps ?? DEFAULT_PROBE_STEPS;
  const now = options.now ?? (() => performance.now());
  const steps: ProbeStep[] = [];
  let stoppedBecause = 'all steps done';
  try {
    const target = await createScratchTable(table, options.signal);
    options.onProgress?.({ kind: 'created', table });
    const context: StepContext = {
      connector,
      target,
      run: randomBytes(3).toString('hex'),
      signal: options.signal,
      now,
      maxRows: options.maxRowsPerStep ?? 20_000,
      sequence: 0,
    };
    const deadline = now() + options.maxMs;
    for (const { batchSize, concurrency } of plan) {
      if (now() >= deadline) {
        stoppedBecause = 'time limit reached';
        break;
      }
      const budgetMs = Math.min(options.maxMs / plan.length, deadline - now());
      const step = await runStep(context, batchSize, concurrency, budgetMs);
      options.signal.throwIfAborted();
      steps.push(step);
      options.onProgress?.({ kind: 'step', step });
      const reason = stopReason(steps, rules);
      if (reason !== undefined) {
        stoppedBecause = reason;
        break;
      }
    }
  } finally {
    // A fresh signal: the probe's own may be aborted, and the table must go regardless.
    await dropScratchTable(table, AbortSignal.timeout(30_000)).catch((failure: unknown) => {
      throw new ConnectorError(
        'CONNECTOR_QUERY_FAILED',
        `connection "${options.connection}": could not drop the scratch table ${table}; drop it by hand: ${failure instanceof Error ? failure.message : String(failure)}`,
        { cause: failure },
      );
    });
  }
  return {
    version: 1,
    connection: options.connection,
    table,
    measuredAt: new Date().toISOString(),
    steps,
    knee: findKnee(steps, rules),
    stoppedBecause,
  };
}
