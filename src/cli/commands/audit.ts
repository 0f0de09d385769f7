import { queryAudit } from '../../operations/audit-log.js';
import { openCliEngine, type GlobalOptions } from '../cli-context.js';
import { ExitCodes } from '../exit-codes.js';

export interface AuditOptions extends GlobalOptions {
  readonly flow?: string;
  readonly action?: string;
  readonly limit?: number;
  readonly json?: boolean;
}

/** `syncline audit`: manual actions, newest first — who, when, what, and what came of it. */
export async function auditCommand(options: AuditOptions): Promise<number> {
  const { engine } = await openCliEngine(options);
  try {
    const page = await queryAudit(engine.operations, {
      ...(options.flow === undefined ? {} : { flow: options.flow }),
      ...(options.action === undefined ? {} : { action: options.action }),
      limit: options.limit ?? 50,
    });
    const entries = page.items;
    if (options.json === true) {
      process.stdout.write(`${JSON.stringify({ audit: entries }, null, 2)}\n`);
      return ExitCodes.ok;
    }
    if (entries.length === 0) {
      process.stdout.write('no audited actions yet\n');
      return ExitCodes.ok;
    }
    for (const entry of entries) {
      process.stdout.write(
        `#${entry.id} ${entry.at} ${entry.actor} ${entry.action}${entry.flow === undefined ? '' : ` ${entry.flow}`}` +
          `${entry.subject === undefined ? '' : ` (${entry.subject})`}: ${entry.result}` +
          `${entry.outcome === undefined ? '' : ` — ${entry.outcome}`}\n`,
      );
    }
    if (page.nextBefore !== undefined)
      process.stdout.write(`(newest ${entries.length}; --limit shows more)\n`);
    return ExitCodes.ok;
  } finally {
    await engine.close();
  }
}
