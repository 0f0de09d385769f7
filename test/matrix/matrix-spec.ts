import { edgeValues } from './edge-values.js';
import { TYPE_CATALOGUES, type CatalogueType, type TypeCatalogue } from './type-catalogues.js';
import { showValue, type EdgeValue, type ValueKind } from './value-kinds.js';

/** What a cell must end in: the value arrives exactly, or the record is a dead letter naming the field. */
export type Expectation =
  | { readonly outcome: 'exact' }
  | {
      readonly outcome: 'refused';
      /** Why the target type cannot hold the value. */ readonly reason: string;
    };

/** One cell of the matrix: a value of one kind, read from a source column and written to a target column. */
export interface MatrixCell {
  /** `postgres→mysql float NaN`: the name KNOWN_ENGINE_GAPS and failure reports use. */
  readonly id: string;
  /** What the cell's columns hold. */
  readonly kind: ValueKind;
  /** The column of this kind in both tables: `c_<kind>`. */
  readonly column: string;
  /** The value the source row holds. */
  readonly value: EdgeValue;
  /** The source column's type. */
  readonly sourceType: CatalogueType;
  /** The target column's type. */
  readonly targetType: CatalogueType;
  /** Exact, or refused with the reason (from the target type). */
  readonly expected: Expectation;
}

/** A source → target pair of connectors and its cells. */
export interface MatrixPair {
  /** `postgres→mysql`. */
  readonly name: string;
  /** The connector the flow reads. */
  readonly source: TypeCatalogue;
  /** The connector the flow writes. */
  readonly target: TypeCatalogue;
  /** The kinds both connectors support, in VALUE_KINDS order. */
  readonly kinds: readonly ValueKind[];
  /** Every value of every shared kind the source column can hold. */
  readonly cells: readonly MatrixCell[];
}

/**
 * Cells today's engine gets wrong; each is asserted to STILL fail, so the list cannot go stale or
 * hide a cell that passes.
 */
export const KNOWN_ENGINE_GAPS: ReadonlySet<string> = new Set<string>([
]);

/** The column of a kind in the matrix tables. */
export function columnOf(kind: ValueKind): string {
  return `c_${kind}`;
}

function typeOf(catalogue: TypeCatalogue, kind: ValueKind): CatalogueType | undefined {
  return catalogue.types.find((type) => type.kind === kind);
}

/** The cells of one pair: each value the source column can hold, with what the target must do with it. */
function pairOf(source: TypeCatalogue, target: TypeCatalogue): MatrixPair {
  const name = `${source.connector}→${target.connector}`;
  const kinds: ValueKind[] = [];
  const cells: MatrixCell[] = [];
  for (const sourceType of source.types) {
    const targetType = typeOf(target, sourceType.kind);
    if (targetType === undefined) continue;
    kinds.push(sourceType.kind);
    for (const value of edgeValues(sourceType.kind)) {
      if (sourceType.refuses(value.value) !== undefined) continue;
      const reason = targetType.refuses(value.value);
      cells.push({
        id: `${name} ${sourceType.kind} ${value.label}`,
        kind: sourceType.kind,
        column: columnOf(sourceType.kind),
        value,
        sourceType,
        targetType,
        expected: reason === undefined ? { outcome: 'exact' } : { outcome: 'refused', reason },
      });
    }
  }
  return { name, source, target, kinds, cells };
}

/** Every pair of the matrix: each connector as a source × each as a target, generated from the catalogues. */
export function matrixPairs(catalogues: readonly TypeCatalogue[] = TYPE_CATALOGUES): MatrixPair[] {
  return catalogues.flatMap((source) => catalogues.map((target) => pairOf(source, target)));
}

/** A cell in one line, for failure messages. */
export function describeCell(cell: MatrixCell): string {
  const expected = cell.expected.outcome === 'exact' ? 'exact' : `refused (${cell.expected.reason})`;
  return `${cell.id} [${showValue(cell.value.value)}]: expected ${expected}`;
}
