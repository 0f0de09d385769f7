import type { GlobalOptions } from '../cli-context.js';
import { openCliEngine } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';
import { checkSchemas, formatFindings } from '../schema-report.js';

/** `syncline validate`: the config, then every flow against the live schemas. */
export async function validateCommand(options: GlobalOptions & { offline?: boolean }): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const flows = engine.flows;
    process.stdout.write(
      `${options.config}: configuration is valid (${engine.flows.length} flow${engine.flows.length === 1 ? '' : 's'}, ${Object.keys(engine.config.connections).length} connections)\n`,
    );
    if (options.offline === true) return ExitCodes.ok;
    const findings = await checkSchemas(engine, flows, AbortSignal.timeout(60_000));
    const errors = findings.filter((finding) => finding.severity === 'error');
    const warnings = findings.filter((finding) => finding.severity === 'warning');
    if (findings.length > 0) process.stdout.write(`${formatFindings(findings)}\n`);
    process.stdout.write(
      `live schema check: ${errors.length} error${errors.length === 1 ? '' : 's'}, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}\n`,
    );
    return errors.length > 0 ? ExitCodes.badConfig : ExitCodes.ok;
  } finally {
    await engine.close();
  }
}
