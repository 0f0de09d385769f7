import { describe, expect, it } from 'vitest';
import type { RecordOutcome, WriteResult } from '../../src/core/connector.js';
import type { Row, ScalarValue } from '../../src/core/values.js';
import {
  neverAborted,
  prepare,
  requireCapabilities,
  type ConformanceContext,
} from './conformance-context.js';
import type { PreparedObject } from './connector-harness.js';
import { portableTarget, portableUpsert, recordSpec } from './portable-specs.js';

/** The outcome of each key of a result; fails when a key has none or more than one. */
function outcomesByKey(result: WriteResult, keys: readonly string[]): Map<string, RecordOutcome> {
  const outcomes = result.outcomes;
  expect(outcomes, 'a connector with recordOutcomes returns WriteResult.outcomes').toBeDefined();
  const byKey = new Map<string, RecordOutcome>();
  for (const outcome of outcomes ?? []) {
    expect(byKey.has(outcome.key), `one outcome for record ${outcome.key}`).toBe(false);
    byKey.set(outcome.key, outcome);
  }
  expect([...byKey.keys()].sort(), 'one outcome per record of the batch').toEqual([...keys].sort());
  return byKey;
}

/** The id an outcome carries, if any. */
function idOf(outcome: RecordOutcome | undefined): ScalarValue | undefined {
  return outcome !== undefined && 'id' in outcome ? outcome.id : undefined;
}

/** Asserts created outcomes carry distinct ids where the system gives records ids of their own. */
function expectNewIds(object: PreparedObject, byKey: ReadonlyMap<string, RecordOutcome>): void {
  if (object.recordIds !== true) return;
  const created = [...byKey.values()].filter((outcome) => outcome.status === 'created');
  const ids = created.map((outcome) => idOf(outcome));
  for (const [index, id] of ids.entries())
    expect(id, `created record ${created[index]?.key} carries the system's new id`).toBeDefined();
  expect(new Set(ids).size, 'every created record has an id of its own').toBe(ids.length);
}

/** Records written twice give `updated` or `unchanged` the second time, never `created`. */
function expectNotCreatedAgain(byKey: ReadonlyMap<string, RecordOutcome>, keys: readonly string[]): void {
  for (const key of keys)
    expect(['updated', 'unchanged'], `outcome of ${key} written again`).toContain(byKey.get(key)?.status);
}

const named = (code: string, name: string | null): Row => ({ code, name });

/** Per-record outcomes (with `capabilities.recordOutcomes`): refusals are the record's, retries idempotent. */
export function describeOutcomeConformance(context: ConformanceContext): void {
  describe('writeBatch outcomes', () => {
    it('refuses only the record the system refuses, with its message, and writes the others', async (test) => {
      requireCapabilities(test, context, 'target', 'recordOutcomes');
      const harness = context.harness();
      const object = await prepare(test, context, recordSpec('cf_outcomes', { required: true }));
      await harness.seed(object, [named('O-1', 'before')]);
      const batch = [
        named('O-1', 'after'),
        named('O-2', 'two'),
        named('O-3', null), // a required field left empty: the record's fault
        named('O-4', 'four'),
      ].map((row) => portableUpsert(object, row));

      const result = await harness.connector.writeBatch(portableTarget(object), batch, neverAborted);

      const byKey = outcomesByKey(result, ['O-1', 'O-2', 'O-3', 'O-4']);
      expect(byKey.get('O-1')?.status).toBe('updated');
      expect(byKey.get('O-2')?.status).toBe('created');
      expect(byKey.get('O-4')?.status).toBe('created');
      const refused = byKey.get('O-3');
      expect(refused?.status, 'the record without its required field').toBe('refused');
      if (refused?.status === 'refused') {
        expect(refused.error.message.trim().length, 'the refusal carries the system message').toBeGreaterThan(
          0,
        );
        expect(
          refused.error.retryable,
          `a refusal is the record's, not retryable: ${refused.error.message}`,
        ).toBe(false);
      }
      expectNewIds(object, byKey);
      expect(result.written, 'the three records it accepted').toBe(3);
      expect(await harness.readAll(object)).toEqual([
        named('O-1', 'after'),
        named('O-2', 'two'),
        named('O-4', 'four'),
      ]);
    });

    it('creates nothing twice when the same batch is written again, also after a partial failure', async (test) => {
      requireCapabilities(test, context, 'target', 'recordOutcomes');
      const harness = context.harness();
      const object = await prepare(test, context, recordSpec('cf_outcomes_again', { required: true }));
      const target = portableTarget(object);
      const clean = ['R-1', 'R-2', 'R-3'].map((code) => portableUpsert(object, named(code, `name ${code}`)));

      const first = outcomesByKey(await harness.connector.writeBatch(target, clean, neverAborted), [
        'R-1',
        'R-2',
        'R-3',
      ]);
      for (const key of ['R-1', 'R-2', 'R-3']) expect(first.get(key)?.status, key).toBe('created');
      expectNewIds(object, first);
      const second = outcomesByKey(await harness.connector.writeBatch(target, clean, neverAborted), [
        'R-1',
        'R-2',
        'R-3',
      ]);
      expectNotCreatedAgain(second, ['R-1', 'R-2', 'R-3']);
      for (const key of ['R-1', 'R-2', 'R-3']) {
        const id = idOf(second.get(key));
        if (id !== undefined)
          expect(id, `${key} keeps the id it was created with`).toEqual(idOf(first.get(key)));
      }

      // A partial failure (one record refused), then the whole batch again, as a retry would send it.
      const partial = [
        portableUpsert(object, named('R-2', 'renamed 2')),
        portableUpsert(object, named('R-4', null)),
        portableUpsert(object, named('R-5', 'five')),
      ];
      const failed = outcomesByKey(await harness.connector.writeBatch(target, partial, neverAborted), [
        'R-2',
        'R-4',
        'R-5',
      ]);
      expect([failed.get('R-4')?.status, failed.get('R-5')?.status]).toEqual(['refused', 'created']);
      const retried = outcomesByKey(await harness.connector.writeBatch(target, partial, neverAborted), [
        'R-2',
        'R-4',
        'R-5',
      ]);
      expectNotCreatedAgain(retried, ['R-2', 'R-5']);
      expect(retried.get('R-4')?.status).toBe('refused');

      expect(await harness.readAll(object)).toEqual([
        named('R-1', 'name R-1'),
        named('R-2', 'renamed 2'),
        named('R-3', 'name R-3'),
        named('R-5', 'five'),
      ]);
    });
  });
}
