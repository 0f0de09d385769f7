import { formatMs, type ProbeCurve, type ProbeStep } from '../../cadence/probe-curve.js';
import { probeTarget } from '../../operations/advisor.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';
import { formatTextTable } from '../text-table.js';

/** Options of `syncline probe`. */
export interface ProbeOptions extends GlobalOptions {
  /** The target connection to load-test (a name under `connections:`). */
  readonly connection: string;
  /** Upper bound of the probe's write time, in seconds. Default 20. */
  readonly maxSeconds?: number;
  readonly json?: boolean;
}

const DEFAULT_MAX_SECONDS = 20;

function stepRow(step: ProbeStep, knee: ProbeStep | null): string[] {
  return [
    String(step.batchSize),
    String(step.concurrency),
    String(step.batches),
    String(step.rows),
    step.rowsPerSecond.toLocaleString('en-US'),
    formatMs(step.p50Ms),
    formatMs(step.p95Ms),
    step.errors === 0 ? '' : String(step.errors),
    step === knee ? '← knee' : '',
  ];
}

/** The curve as a table, then the knee and why the probe stopped. */
export function formatProbeCurve(curve: ProbeCurve): string {
  const header = ['batch', 'writers', 'batches', 'rows', 'rows/s', 'p50', 'p95', 'errors', ''];
  const table = formatTextTable(
    header,
    curve.steps.map((step) => stepRow(step, curve.knee)),
  );
  const knee =
    curve.knee === null
      ? `no healthy step: ${curve.connection} gives no capacity to plan with`
      : `knee: ${curve.knee.rowsPerSecond.toLocaleString('en-US')} rows/s (${(curve.knee.rowsPerSecond * 60).toLocaleString('en-US')} rows/min) at batch ${String(curve.knee.batchSize)} × ${String(curve.knee.concurrency)} writer(s), p95 ${formatMs(curve.knee.p95Ms)}`;
  return `${curve.connection}: scratch table ${curve.table} (dropped)\n${table}\n${knee}\nstopped: ${curve.stoppedBecause}\n`;
}

/**
 * `syncline probe --connection NAME [--max-seconds 20] [--json]`: a bounded load test of a target
 * in a scratch table `syncline_probe_<hex>` it creates and always drops (Ctrl-C too). The curve is
 * stored as flow meta `probe` of the pseudo-flow `connection:<NAME>`, where `syncline plan` reads it.
 */
export async function probeCommand(options: ProbeOptions): Promise<number> {
  const { engine } = await openCliEngine(options);
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`${signal}: stopping the probe; dropping its scratch table\n`);
    controller.abort(new Error(`probe stopped by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const maxSeconds = Math.min(Math.max(options.maxSeconds ?? DEFAULT_MAX_SECONDS, 1), 600);
    const curve = await probeTarget(engine.operations, {
      connection: options.connection,
      maxMs: maxSeconds * 1_000,
      signal: controller.signal,
      onProgress: (event) => {
        process.stderr.write(
          event.kind === 'created'
            ? `probe: created scratch table ${event.table} on ${options.connection}\n`
            : `probe: batch ${String(event.step.batchSize)} × ${String(event.step.concurrency)}: ${String(event.step.rowsPerSecond)} rows/s, p95 ${formatMs(event.step.p95Ms)}${event.step.errors > 0 ? `, ${String(event.step.errors)} error(s)` : ''}\n`,
        );
      },
    });
    if (curve === undefined) {
      process.stderr.write('probe: stopped; the scratch table was dropped and no curve was stored\n');
      return ExitCodes.flowFailed;
    }
    process.stdout.write(
      options.json === true ? `${JSON.stringify(curve, null, 2)}\n` : formatProbeCurve(curve),
    );
    return ExitCodes.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await engine.close();
  }
}
