import type { GlobalOptions } from '../cli-context.js';
import { openCliEngine } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';
import { checkSchemaReport, formatAcknowledged, formatFindings } from '../schema-report.js';

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * `syncline validate`: the config, then every flow against the live schemas. The last line is the
 * verdict: "configuration is valid" only when no check found an error.
 */
export async function validateCommand(options: GlobalOptions & { offline?: boolean }): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const flows = engine.flows;
    const valid = `${options.config}: configuration is valid (${plural(flows.length, 'flow')}, ${plural(Object.keys(engine.config.connections).length, 'connection')})`;
    if (options.offline === true) {
      process.stdout.write(`${valid}\n`);
      return ExitCodes.ok;
    }
    const { findings, acknowledged } = await checkSchemaReport(engine, flows, AbortSignal.timeout(60_000));
    const errors = findings.filter((finding) => finding.severity === 'error');
    const warnings = findings.filter((finding) => finding.severity === 'warning');
    if (findings.length > 0) process.stdout.write(`${formatFindings(findings)}\n`);
    if (acknowledged.length > 0) process.stdout.write(`${formatAcknowledged(acknowledged)}\n`);
    process.stdout.write(
      `live schema check: ${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}\n`,
    );
    process.stdout.write(
      errors.length === 0
        ? `${valid}\n`
        : `${options.config}: configuration is not valid: ${plural(errors.length, 'error')} to fix\n`,
    );
    return errors.length > 0 ? ExitCodes.badConfig : ExitCodes.ok;
  } finally {
    await engine.close();
  }
}
