import { syncConfigSchema } from '../../src/config/config-schema.js';
import { runCycle } from '../../src/core/cycle.js';
import { compileFlow } from '../../src/core/flow.js';
import { silentLogger } from '../../src/core/logger.js';
import type { DeadLetter, StateStore } from '../../src/core/state-store.js';
import { comparable, expectedComparable } from './matrix-compare.js';
import type { MatrixColumn, MatrixEndpoint } from './matrix-endpoints.js';
import { columnOf, KNOWN_ENGINE_GAPS, type MatrixCell, type MatrixPair } from './matrix-spec.js';

/** How one cell ended on the real engine. */
export interface CellOutcome {
  /** The cell this outcome is of. */
  readonly cell: MatrixCell;
  /** The cycle succeeded and the cell ended as expected. */
  readonly isCorrect: boolean;
  /** What happened, for failure messages. */
  readonly detail: string;
}

/** The systems one pair runs on. */
export interface PairEndpoints {
  /** Where the pair's source tables live. */
  readonly source: MatrixEndpoint;
  /** Where the pair's target tables live (may be the source's database). */
  readonly target: MatrixEndpoint;
  /** The state store the cycles record runs and dead letters in. */
  readonly state: StateStore;
}

/** Table name safe in every dialect: `m_<source>_<target>_<group>`. */
function tableName(pair: MatrixPair, group: number): string {
  return `m_${pair.source.connector}_${pair.target.connector}_${group}`;
}

function judge(
  cell: MatrixCell,
  status: string,
  row: Record<string, unknown> | undefined,
  letter: DeadLetter | undefined,
): CellOutcome {
  const happened =
    letter !== undefined
      ? `dead letter (field ${letter.field ?? '-'}: ${letter.reason.slice(0, 160)})`
      : row === undefined
        ? 'no target row and no dead letter'
        : `arrived as ${JSON.stringify(comparable(cell.kind, row[cell.column])).slice(0, 80)}`;
  const detail = `cycle ${status}; ${happened}`;
  if (status !== 'succeeded') return { cell, isCorrect: false, detail };
  if (cell.expected.outcome === 'refused') {
    const namesField =
      letter !== undefined && (letter.field === cell.column || letter.reason.includes(cell.column));
    return { cell, isCorrect: namesField && letter.reason.length > 0 && row === undefined, detail };
  }
  const isExact =
    row !== undefined &&
    comparable(cell.kind, row[cell.column]) === expectedComparable(cell.kind, cell.value.value);
  return { cell, isCorrect: letter === undefined && isExact, detail };
}

/** Runs the cells of one group through one flow and one cycle; returns each cell's outcome. */
async function runGroup(
  pair: MatrixPair,
  group: number,
  cells: readonly MatrixCell[],
  ports: PairEndpoints,
): Promise<CellOutcome[]> {
  const table = tableName(pair, group);
  const columnsOf = (side: 'sourceType' | 'targetType'): MatrixColumn[] =>
    pair.kinds.map((kind) => {
      const type = (side === 'sourceType' ? pair.source : pair.target).types.find(
        (each) => each.kind === kind,
      );
      return { name: columnOf(kind), kind, ddl: type?.ddl ?? '' };
    });
  await ports.source.createTable(`${table}_s`, columnsOf('sourceType'), true);
  await ports.target.createTable(`${table}_t`, columnsOf('targetType'), false);
  await ports.source.insertRows(
    `${table}_s`,
    cells.map((cell, index) => ({
      id: index + 1,
      column: cell.column,
      kind: cell.kind,
      value: cell.value.value,
    })),
  );
  const config = syncConfigSchema.parse({
    connections: { src: { type: pair.source.connector }, tgt: { type: pair.target.connector } },
    flows: {
      [table]: {
        source: { connection: 'src', table: `${table}_s`, key: 'id', cursor: 'version' },
        target: { connection: 'tgt', table: `${table}_t`, key: 'id' },
        batch: 500,
        fields: Object.fromEntries(pair.kinds.map((kind) => [columnOf(kind), columnOf(kind)])),
        retry: { attempts: 1 },
      },
    },
  });
  const flowConfig = config.flows[table];
  if (flowConfig === undefined) throw new Error(`matrix: flow ${table} missing from the parsed config`);
  const flow = compileFlow(table, flowConfig);
  const result = await runCycle(
    flow,
    {
      source: ports.source.connector,
      target: ports.target.connector,
      state: ports.state,
      logger: silentLogger,
    },
    { trigger: 'manual', signal: new AbortController().signal },
  );
  const rows = await ports.target.readRows(`${table}_t`, columnsOf('targetType'));
  const letters = await ports.state.listDeadLetters({ flow: table, limit: 10_000 });
  const letterOf = new Map(letters.map((letter) => [letter.key, letter]));
  const status =
    result.error === undefined ? result.status : `${result.status} (${result.error.message.slice(0, 120)})`;
  return cells.map((cell, index) =>
    judge(cell, status, rows.get(index + 1), letterOf.get(String(index + 1))),
  );
}

/**
 * Runs every cell of a pair on the real engine: the cells expected to be right in one table and
 * one cycle, each known engine gap in a table and cycle of its own so that one gap failing its
 * cycle cannot make another cell look broken (or a fixed gap look still broken).
 */
export async function runPair(pair: MatrixPair, ports: PairEndpoints): Promise<CellOutcome[]> {
  const regular = pair.cells.filter((cell) => !KNOWN_ENGINE_GAPS.has(cell.id));
  const gaps = pair.cells.filter((cell) => KNOWN_ENGINE_GAPS.has(cell.id));
  const outcomes = await runGroup(pair, 0, regular, ports);
  for (const [index, gap] of gaps.entries())
    outcomes.push(...(await runGroup(pair, index + 1, [gap], ports)));
  return outcomes;
}
