import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { ChangeEventsSetup } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { MAX_IDENTIFIER_LENGTH } from '../../config/identifiers.js';
import type { PostgresPool } from './postgres-pool.js';
import { quoteIdentifier, type Statement, type TableName } from './postgres-sql.js';

/** The LISTEN/NOTIFY channel every Syncline trigger notifies; the payload is `schema.table`. */
export const CHANGE_CHANNEL = 'syncline_changes';

/** The trigger function's name; one per schema, shared by every table of that schema. */
export const NOTIFY_FUNCTION = 'syncline_notify';

/**
 * The function's body. Statement-level, so a bulk update of a million rows sends one event; the
 * payload names the table (`TG_TABLE_SCHEMA.TG_TABLE_NAME`), so one function serves every table.
 * PostgreSQL folds equal notifications of one transaction into one.
 */
const FUNCTION_BODY = `
BEGIN
  PERFORM pg_notify('${CHANGE_CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
  RETURN NULL;
END
`;

/** Serialises concurrent installs and removes (of any table) on one database. */
const LOCK_STATEMENT: Statement = {
  text: `SELECT pg_advisory_xact_lock(hashtext('${NOTIFY_FUNCTION}'))`,
  values: [],
};

/** The objects that emit a table's change events. */
export interface ChangeEventObjects {
  /** The trigger's name, unquoted: `syncline_<table>_notify`. */
  readonly triggerName: string;
  /** The quoted trigger name. */
  readonly trigger: string;
  /** The quoted, schema-qualified function: `"public"."syncline_notify"`. */
  readonly function: string;
}

/**
 * `syncline_<table>_notify`, shortened with a hash of the table name when it would pass
 * PostgreSQL's 63-byte limit (which would silently truncate it, so two tables could clash).
 */
export function triggerNameOf(table: TableName): string {
  const name = `syncline_${table.name}_notify`;
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_LENGTH) return name;
  const hash = createHash('sha256').update(table.name).digest('hex').slice(0, 8);
  // Cut by code points, never inside a character.
  const stem = Array.from(table.name);
  while (Buffer.byteLength(`syncline_${stem.join('')}_${hash}_notify`) > MAX_IDENTIFIER_LENGTH) stem.pop();
  return `syncline_${stem.join('')}_${hash}_notify`;
}

/** The names of a table's trigger and its schema's function, validated and quoted. */
export function changeEventObjects(table: TableName): ChangeEventObjects {
  const triggerName = triggerNameOf(table);
  const schema = quoteIdentifier(table.schema, { role: `schema of ${table.display}` });
  return {
    triggerName,
    trigger: quoteIdentifier(triggerName, { role: 'trigger name' }),
    function: `${schema}.${quoteIdentifier(NOTIFY_FUNCTION, { role: 'function name' })}`,
  };
}

/** `CREATE OR REPLACE FUNCTION … RETURNS trigger` in the table's schema. */
export function createFunctionStatement(objects: ChangeEventObjects): Statement {
  return {
    text: `CREATE OR REPLACE FUNCTION ${objects.function}() RETURNS trigger LANGUAGE plpgsql AS $syncline$${FUNCTION_BODY}$syncline$`,
    values: [],
  };
}

/** The statement-level AFTER INSERT OR UPDATE OR DELETE trigger of a table. */
export function createTriggerStatement(table: TableName, objects: ChangeEventObjects): Statement {
  return {
    text: `CREATE TRIGGER ${objects.trigger} AFTER INSERT OR UPDATE OR DELETE ON ${table.sql} FOR EACH STATEMENT EXECUTE FUNCTION ${objects.function}()`,
    values: [],
  };
}

/** The table's kind (`r` table, `p` partitioned, `v` view…), or no row when it does not exist. */
function relationKindStatement(table: TableName): Statement {
  return {
    text: `SELECT c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    values: [table.schema, table.name],
  };
}

/** The table's Syncline trigger, with whether it is enabled and which function it calls. */
export function triggerStatement(table: TableName, objects: ChangeEventObjects): Statement {
  return {
    text: `SELECT t.tgenabled::text AS enabled, fn.nspname AS function_schema, p.proname AS function_name
      FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_proc p ON p.oid = t.tgfoid JOIN pg_namespace fn ON fn.oid = p.pronamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND t.tgname = $3 AND NOT t.tgisinternal`,
    values: [table.schema, table.name, objects.triggerName],
  };
}

/** The schema's notify function, its body, and how many triggers still call it. */
function functionStatement(table: TableName): Statement {
  return {
    text: `SELECT p.prosrc AS body, (SELECT count(*)::int FROM pg_trigger t WHERE t.tgfoid = p.oid) AS triggers
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = $1 AND p.proname = $2 AND p.pronargs = 0`,
    values: [table.schema, NOTIFY_FUNCTION],
  };
}

interface TriggerRow {
  readonly enabled: string;
  readonly function_schema: string;
  readonly function_name: string;
}

/** Whether a trigger row is Syncline's, enabled, and calls the notify function of the table's schema. */
function isWorkingTrigger(row: TriggerRow | undefined, table: TableName): boolean {
  return (
    row !== undefined &&
    row.enabled !== 'D' &&
    row.function_schema === table.schema &&
    row.function_name === NOTIFY_FUNCTION
  );
}

type Run = <R extends object>(statement: Statement) => Promise<pg.QueryResult<R>>;

/** Runs `work` in a transaction holding the install lock, on one pooled session. */
async function inLockedTransaction<T>(
  pool: PostgresPool,
  operation: { operation: string; flow: string },
  signal: AbortSignal,
  work: (run: Run) => Promise<T>,
): Promise<T> {
  return pool.withClient(signal, operation, async (client) => {
    const run: Run = (statement) => pool.run(client, statement, signal);
    await run({ text: 'BEGIN', values: [] });
    try {
      await run(LOCK_STATEMENT);
      const result = await work(run);
      await run({ text: 'COMMIT', values: [] });
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/**
 * Creates the schema's notify function (or brings its body up to date) and the table's trigger.
 * Idempotent: a second call changes nothing and says so. Refuses a missing table or a view.
 */
export async function installChangeEvents(
  pool: PostgresPool,
  table: TableName,
  flow: string,
  signal: AbortSignal,
): Promise<ChangeEventsSetup> {
  const objects = changeEventObjects(table);
  const operation = { operation: `installing change events on ${table.display}`, flow };
  return inLockedTransaction(pool, operation, signal, async (run) => {
    const kind = (await run<{ kind: string }>(relationKindStatement(table))).rows[0]?.kind;
    if (kind === undefined) {
      throw new ConnectorError(
        'CONNECTOR_TABLE_NOT_FOUND',
        `Flow "${flow}": cannot install change events: the source table ${table.display} does not exist`,
        { flow },
      );
    }
    if (kind !== 'r' && kind !== 'p') {
      throw new ConnectorError(
        'SCHEMA_MISMATCH',
        `Flow "${flow}": cannot install change events on ${table.display}: it is not a table (a view or similar); a realtime flow on it keeps polling`,
        { flow },
      );
    }
    const done: string[] = [];
    const existing = (await run<{ body: string }>(functionStatement(table))).rows[0];
    if (existing?.body !== FUNCTION_BODY) {
      await run(createFunctionStatement(objects));
      done.push(`${existing === undefined ? 'created' : 'updated'} function ${objects.function}()`);
    }
    const trigger = (await run<TriggerRow>(triggerStatement(table, objects))).rows[0];
    if (!isWorkingTrigger(trigger, table)) {
      if (trigger !== undefined) await run(dropTriggerStatement(table, objects));
      await run(createTriggerStatement(table, objects));
      done.push(`created trigger ${objects.trigger} on ${table.display}`);
    }
    return done.length === 0
      ? {
          isChanged: false,
          message: `change events of ${table.display} were already installed (trigger ${objects.trigger}, function ${objects.function}())`,
        }
      : {
          isChanged: true,
          message: `${done.join(' and ')}; changes to ${table.display} now notify channel "${CHANGE_CHANNEL}"`,
        };
  });
}

function dropTriggerStatement(table: TableName, objects: ChangeEventObjects): Statement {
  return { text: `DROP TRIGGER IF EXISTS ${objects.trigger} ON ${table.sql}`, values: [] };
}

/**
 * Drops the table's trigger, and the schema's function once no trigger calls it any more.
 * Idempotent: when neither exists it changes nothing and says so.
 */
export async function removeChangeEvents(
  pool: PostgresPool,
  table: TableName,
  flow: string,
  signal: AbortSignal,
): Promise<ChangeEventsSetup> {
  const objects = changeEventObjects(table);
  const operation = { operation: `removing change events from ${table.display}`, flow };
  return inLockedTransaction(pool, operation, signal, async (run) => {
    const done: string[] = [];
    const trigger = (await run<TriggerRow>(triggerStatement(table, objects))).rows[0];
    if (trigger !== undefined) {
      await run(dropTriggerStatement(table, objects));
      done.push(`dropped trigger ${objects.trigger} from ${table.display}`);
    }
    const existing = (await run<{ triggers: number }>(functionStatement(table))).rows[0];
    if (existing !== undefined && existing.triggers === 0) {
      await run({ text: `DROP FUNCTION IF EXISTS ${objects.function}()`, values: [] });
      done.push(`dropped function ${objects.function}()`);
    } else if (existing !== undefined) {
      done.push(`kept function ${objects.function}(): ${existing.triggers} other trigger(s) still call it`);
    }
    const isChanged = trigger !== undefined || done.some((entry) => entry.startsWith('dropped'));
    return isChanged
      ? { isChanged, message: done.join('; ') }
      : { isChanged, message: `no change events were installed on ${table.display}; nothing to remove` };
  });
}

/** Whether the table's trigger exists, is enabled and calls the notify function. */
export async function hasChangeEvents(
  pool: PostgresPool,
  table: TableName,
  flow: string,
  signal: AbortSignal,
): Promise<boolean> {
  const rows = await pool.query<TriggerRow>(triggerStatement(table, changeEventObjects(table)), signal, {
    operation: `checking the change-event trigger of ${table.display}`,
    flow,
  });
  return isWorkingTrigger(rows[0], table);
}
