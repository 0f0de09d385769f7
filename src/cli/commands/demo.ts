import { parseDurationFlag } from '../../config/duration.js';
import type { CycleResult } from '../../core/cycle-ports.js';
import type { Logger } from '../../core/logger.js';
import type { GlobalOptions } from '../cli-context.js';
import { createConsoleLogger } from '../console-logger.js';
import { DemoChangeGenerator } from '../demo/demo-changes.js';
import { DemoRandom } from '../demo/demo-random.js';
import { formatFinalReport, formatIntro, formatLiveBlock } from '../demo/demo-report.js';
import { formatDemoApi, startDemoApi } from '../demo/demo-api.js';
import { DemoScreen } from '../demo/demo-screen.js';
import { createDemoSystems, demoPaths, prepareDemoDirectory } from '../demo/demo-setup.js';
import { DemoSummary } from '../demo/demo-summary.js';
import { openEngine, type Engine } from '../engine.js';
import { ExitCodes } from '../exit-codes.js';
import { createRuntime } from '../runtime-factory.js';
import { checkSchemaReport, formatFindings } from '../schema-report.js';

/** Options of `syncline demo`. */
export interface DemoOptions extends GlobalOptions {
  /** Stop after this long (`30s`); until Ctrl-C when absent. */
  readonly duration?: string;
  /** Directory of the demo's databases, state and config; emptied on each start. */
  readonly dir: string;
  /** Port of the demo's admin API (0: any free one); false: no API. Default 8080. */
  readonly api?: number | false;
}

/** Where the demo's admin API listens unless `--api-port` says otherwise (taken: any free port). */
const DEMO_API_PORT = 8080;

/** Milliseconds between two redraws of the live summary. */
const REFRESH_MS = 2_000;
/** Seed of the sample data, so every demo starts from the same CRM. */
const SEED = 2026;

/** Waits for the duration to pass or the first Ctrl-C; a second Ctrl-C calls `onHardStop`. */
function stopRequest(
  durationMs: number | undefined,
  logger: Logger,
): { stopped: Promise<string>; onHardStop: (handler: () => void) => void; dispose: () => void } {
  let hardStop: () => void = () => undefined;
  let signals = 0;
  let resolveStop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (resolveStop = resolve));
  const timer =
    durationMs === undefined
      ? undefined
      : setTimeout(() => {
          resolveStop('duration reached');
        }, durationMs);
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) resolveStop(signal);
    else {
      logger.warn(`${signal}: stopping at once; unfinished batches are read again next time`);
      hardStop();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopped,
    onHardStop: (handler) => (hardStop = handler),
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Checks the flows against the live demo schemas; prints findings; false when one cannot run. */
async function preflight(engine: Engine, screen: DemoScreen): Promise<boolean> {
  const { findings } = await checkSchemaReport(engine, engine.flows, AbortSignal.timeout(30_000));
  const errors = findings.filter((finding) => finding.severity === 'error');
  if (errors.length > 0) {
    process.stderr.write(
      `The demo's schemas do not match its config; nothing ran:\n${formatFindings(errors)}\n`,
    );
    return false;
  }
  const warnings = findings.filter((finding) => finding.severity === 'warning');
  if (warnings.length > 0) {
    screen.print(
      `Schema check (syncline validate) before the first cycle, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}:\n${formatFindings(warnings)}\n`,
    );
  }
  return true;
}

/**
 * `syncline demo [--duration 30s] [--dir .syncline/demo]`: creates a sample CRM and ERP as SQLite
 * files, writes a four-tier syncline.yaml, starts a generator of live CRM changes, runs the real
 * engine on it and shows a live per-flow summary. At the end every flow runs one catch-up cycle,
 * so the final summary compares like with like. Exit 0 when every catch-up cycle succeeded.
 */
export async function demoCommand(options: DemoOptions): Promise<number> {
  const durationMs = options.duration === undefined ? undefined : parseDurationFlag(options.duration);
  if (options.duration !== undefined && durationMs === undefined) {
    process.stderr.write(`--duration: "${options.duration}" is not a duration; use e.g. 30s, 2m or 1h\n`);
    return ExitCodes.badConfig;
  }
  const paths = demoPaths(options.dir);
  const prepared = prepareDemoDirectory(paths);
  if (!prepared.ok) {
    process.stderr.write(`--dir: ${prepared.reason}\n`);
    return ExitCodes.badConfig;
  }
  const random = new DemoRandom(SEED);
  const seed = createDemoSystems(paths, random, Date.now());
  const screen = new DemoScreen();
  screen.print(formatIntro(paths, seed));

  // Warnings and errors only, so the live summary stays readable; --log-level debug shows more.
  const level = options.logLevel === 'info' ? 'warn' : options.logLevel;
  const engine = await openEngine(paths.config, (secrets) =>
    createConsoleLogger({ format: options.logFormat, level, secrets, stream: screen.logStream }),
  );
  const summary = new DemoSummary({
    flows: engine.flows,
    state: engine.state,
    crmPath: paths.crm,
    erpPath: paths.erp,
  });
  const stop = stopRequest(durationMs, engine.logger);
  const generator = new DemoChangeGenerator(paths.crm, random, {
    onError: (error) => {
      engine.logger.warn(`change generator: ${error instanceof Error ? error.message : String(error)}`);
    },
  });
  try {
    if (!(await preflight(engine, screen))) return ExitCodes.badConfig;
    const concurrency = engine.flows.length;
    const startedAt = Date.now();
    let drawing: Promise<void> | undefined;
    const redraw = (): void => {
      drawing ??= summary
        .snapshot()
        .then((flows) => {
          screen.show(formatLiveBlock(Date.now() - startedAt, durationMs, generator.counts, flows));
        })
        .catch((error: unknown) => {
          engine.logger.warn(`live summary: ${String(error)}`);
        })
        .finally(() => (drawing = undefined));
    };
    const runtime = await createRuntime(engine, 'run', { concurrency });
    runtime.subscribe(summary.subscriber);
    stop.onHardStop(() => {
      runtime.abort();
    });
    const api = options.api === false ? undefined : await startDemoApi(engine, runtime, options.api ?? DEMO_API_PORT);
    if (api !== undefined) screen.print(formatDemoApi(api));
    generator.start();
    const running = runtime.start();
    redraw();
    const ticker = setInterval(redraw, REFRESH_MS);
    try {
      await Promise.race([stop.stopped, running]);
    } finally {
      clearInterval(ticker);
      await drawing;
      generator.stop();
      await runtime.stop();
      await running;
      await api?.close();
    }

    // One last cycle of every flow after the generator stopped, so CRM and ERP can be compared.
    const catchUp = await createRuntime(engine, 'run', { concurrency });
    catchUp.subscribe(summary.subscriber);
    stop.onHardStop(() => {
      catchUp.abort();
    });
    const results: CycleResult[] = await catchUp.runOnce();
    const elapsedMs = Date.now() - startedAt;
    screen.clear();
    const deadLetters = await engine.state.listDeadLetters({ status: 'open', limit: 1_000 });
    screen.print(
      formatFinalReport({
        paths,
        elapsedMs,
        counts: generator.counts,
        summaries: await summary.snapshot(),
        deadLetters,
      }),
    );
    // On a TTY the log was shown inside the live block; keep what the dead-letter list does not say.
    const others = screen.capturedEvents().latest.filter((line) => !line.includes('dead-lettered'));
    if (others.length > 0)
      screen.print(
        `Log, besides the dead letters (latest ${others.length}):\n${others.map((line) => `  ${line}`).join('\n')}`,
      );
    const failed = results.filter((result) => result.status !== 'succeeded');
    for (const result of failed) {
      process.stderr.write(
        `flow ${result.flow}: the catch-up cycle ${result.status}${result.error === undefined ? '' : `: ${result.error.code}: ${result.error.message}`}\n`,
      );
    }
    return failed.length === 0 ? ExitCodes.ok : ExitCodes.flowFailed;
  } finally {
    stop.dispose();
    generator.stop();
    summary.close();
    await engine.close();
  }
}
