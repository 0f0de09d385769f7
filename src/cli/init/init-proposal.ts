import type { TableSchema } from '../../core/connector.js';
import { proposeFlow, type CatalogSide, type FlowProposal } from './flow-proposal.js';
import { nameSimilarity } from './name-similarity.js';

export type { CatalogSide, FieldProposal, FlowProposal, RuleProposal } from './flow-proposal.js';

/** Table names at least this alike are matched; below 1 with a `# CHECK:` comment. */
const TABLE_MATCH_MIN = 0.65;

/** Everything `syncline init --from … --to …` proposes. */
export interface InitProposal {
  readonly from: string;
  readonly to: string;
  readonly flows: readonly FlowProposal[];
  /** Source tables no target table matched. */
  readonly unmatchedSource: readonly string[];
  /** Target tables no flow writes. */
  readonly unmatchedTarget: readonly string[];
}

/** A table pair and how alike their names are. */
export interface TableMatch {
  readonly source: TableSchema;
  readonly target: TableSchema;
  readonly similarity: number;
}

/**
 * Pairs source and target tables by name likeness (synonyms like accounts ↔ customers count as
 * equal), each table in one pair at most, the most alike first; in source table order.
 */
export function matchTables(sources: readonly TableSchema[], targets: readonly TableSchema[]): TableMatch[] {
  const candidates: TableMatch[] = [];
  for (const source of sources) {
    for (const target of targets) {
      const similarity = nameSimilarity(source.table, target.table);
      if (similarity >= TABLE_MATCH_MIN) candidates.push({ source, target, similarity });
    }
  }
  candidates.sort((a, b) => b.similarity - a.similarity);
  const matches: TableMatch[] = [];
  for (const candidate of candidates) {
    const isTaken = matches.some((m) => m.source === candidate.source || m.target === candidate.target);
    if (!isTaken) matches.push(candidate);
  }
  return matches.sort((a, b) => sources.indexOf(a.source) - sources.indexOf(b.source));
}

/** A flow name from a table name: letters, digits, `_` and `-`, starting with a letter; unique. */
function flowName(table: string, taken: Set<string>): string {
  const plain = (table.split('.').pop() ?? table).replace(/[^\p{L}\p{N}_-]/gu, '_');
  const base = /^\p{L}/u.test(plain) ? plain : `flow_${plain}`;
  let name = base;
  for (let n = 2; taken.has(name); n += 1) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

/** Proposes flows from the source's tables into the target's, one per matched table pair. */
export function proposeInit(source: CatalogSide, target: CatalogSide): InitProposal {
  const matches = matchTables(source.tables, target.tables);
  const taken = new Set<string>();
  const flows = matches.map((match) => {
    const flow = proposeFlow(flowName(match.target.table, taken), source, match.source, match.target);
    if (match.similarity >= 1 || match.source.table === match.target.table) return flow;
    const check = `${match.source.table} → ${match.target.table} matched by name likeness (${match.similarity.toFixed(2)})`;
    return { ...flow, checks: [check, ...flow.checks] };
  });
  return {
    from: source.connection,
    to: target.connection,
    flows,
    unmatchedSource: source.tables
      .filter((table) => !matches.some((m) => m.source === table))
      .map((table) => table.table),
    unmatchedTarget: target.tables
      .filter((table) => !matches.some((m) => m.target === table))
      .map((table) => table.table),
  };
}
