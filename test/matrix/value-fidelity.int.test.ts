import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-state-store.js';
import { openEndpoint, type MatrixEndpoint } from './matrix-endpoints.js';
import { runPair, type CellOutcome } from './matrix-run.js';
import { describeCell, KNOWN_ENGINE_GAPS, matrixPairs } from './matrix-spec.js';
import { TYPE_CATALOGUES } from './type-catalogues.js';

// Issue 15: every value either arrives exactly or is a dead letter naming its field, and the
// cycle always succeeds — asserted cell by cell for every source → target pair of connectors.

const pairs = matrixPairs();
const endpoints = new Map<string, MatrixEndpoint>();
let directory: string;
let state: SqliteStateStore;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'syncline-matrix-state-'));
  state = new SqliteStateStore(join(directory, 'state.db'));
  await state.init();
  for (const catalogue of TYPE_CATALOGUES)
    endpoints.set(catalogue.connector, await openEndpoint(catalogue.connector));
});

afterAll(async () => {
  await Promise.allSettled([...endpoints.values()].map((endpoint) => endpoint.close()));
  await state.close();
  await rm(directory, { recursive: true, force: true });
});

function endpoint(connector: string): MatrixEndpoint {
  const found = endpoints.get(connector);
  if (found === undefined) throw new Error(`matrix: no endpoint for ${connector}`);
  return found;
}

describe('the value-fidelity matrix', () => {
  it('lists only known engine gaps that are cells of the matrix', () => {
    const ids = new Set(pairs.flatMap((pair) => pair.cells.map((cell) => cell.id)));
    expect([...KNOWN_ENGINE_GAPS].filter((id) => !ids.has(id))).toEqual([]);
  });

  describe.each(pairs.map((pair) => [pair.name, pair] as const))('%s', (_, pair) => {
    let outcomes: CellOutcome[] = [];

    beforeAll(async () => {
      outcomes = await runPair(pair, {
        source: endpoint(pair.source.connector),
        target: endpoint(pair.target.connector),
        state,
      });
    });

    it('brings every value across exactly or dead-letters it naming the field, in a cycle that succeeds', () => {
      const wrong = outcomes
        .filter((outcome) => !KNOWN_ENGINE_GAPS.has(outcome.cell.id) && !outcome.isCorrect)
        .map((outcome) => `${describeCell(outcome.cell)} — ${outcome.detail}`);
      expect(wrong).toEqual([]);
      expect(outcomes.length).toBe(pair.cells.length);
    });

    it('still gets each listed known engine gap wrong (remove it from KNOWN_ENGINE_GAPS once fixed)', () => {
      const fixed = outcomes
        .filter((outcome) => KNOWN_ENGINE_GAPS.has(outcome.cell.id) && outcome.isCorrect)
        .map((outcome) => `${outcome.cell.id} — ${outcome.detail}`);
      expect(fixed).toEqual([]);
    });
  });
});
