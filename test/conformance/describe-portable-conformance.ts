import { describe, expect, it } from 'vitest';
import type { Change } from '../../src/core/connector.js';
import type { Row } from '../../src/core/values.js';
import {
  neverAborted,
  prepare,
  requireCapabilities,
  type ConformanceContext,
} from './conformance-context.js';
import { distinctKeys, keysOf, readAll } from './conformance-reads.js';
import type { HarnessLine } from './connector-harness.js';
import { portableSource, portableTarget, portableUpsert, recordSpec, toSuiteRow } from './portable-specs.js';

/** Names no system accepts: empty, and one with a line break and a statement break. */
const BAD_NAMES = ['', 'bad\nname; drop table x'];

/** A line of the lines cases, in the suite's names. */
function line(code: string, description: string, quantity: number): Row {
  return { line_code: code, description, quantity };
}

/** Lines as the harness reads them back, compared without the line key where the system keeps none. */
function comparable(lines: readonly HarnessLine[], keepsKey: boolean): Row[] {
  return lines.map(({ parent, row }) => {
    const { line_code: lineCode = null, ...rest } = row;
    return keepsKey ? { parent, line_code: lineCode, ...rest } : { parent, ...rest };
  });
}

/** Records with lines, sources without a cursor, and object and field names by the system's rules. */
export function describePortableConformance(context: ConformanceContext): void {
  describe('records with lines, sources without cursor, names', () => {
    it('writes a record with its lines as one unit, and a line left out is removed at the target', async (test) => {
      requireCapabilities(test, context, 'target', 'lines');
      test.skip(
        context.harness().connector.capabilities.writesLines === false,
        'the connector reads lines but does not write them (capabilities.writesLines is false)',
      );
      const harness = context.harness();
      const readLines = harness.readLines?.bind(harness);
      expect(readLines, 'a harness of a connector with capabilities.lines has readLines').toBeDefined();
      const object = await prepare(test, context, recordSpec('cf_lines', { lines: true }));
      const keepsKey = object.lines?.['lines']?.key !== undefined;
      const target = portableTarget(object);
      const write = (lines: readonly Row[]) =>
        harness.connector.writeBatch(
          target,
          [portableUpsert(object, { code: 'S-1', name: 'sale 1' }, { lines })],
          neverAborted,
        );
      const read = async (): Promise<Row[]> =>
        comparable((await readLines?.(object, 'lines')) ?? [], keepsKey);

      await write([line('L-1', 'first', 1), line('L-2', 'second', 2), line('L-3', 'third', 3)]);
      expect(await read()).toEqual(
        comparable(
          [
            { parent: 'S-1', row: line('L-1', 'first', 1) },
            { parent: 'S-1', row: line('L-2', 'second', 2) },
            { parent: 'S-1', row: line('L-3', 'third', 3) },
          ],
          keepsKey,
        ),
      );

      await write([line('L-1', 'first', 1), line('L-3', 'third, changed', 30)]);
      expect(await read(), 'exactly the two lines of the record remain').toEqual(
        comparable(
          [
            { parent: 'S-1', row: line('L-1', 'first', 1) },
            { parent: 'S-1', row: line('L-3', 'third, changed', 30) },
          ],
          keepsKey,
        ),
      );
      expect(await harness.readAll(object)).toEqual([{ code: 'S-1', name: 'sale 1' }]);
    });

    it('reads every record from no checkpoint without a cursor, and a changed record again after it', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      const { cursor } = harness.connector.capabilities;
      test.skip(cursor !== false && cursor !== 'optional', 'the connector reads only from a cursor');
      const object = await prepare(test, context, recordSpec('cf_no_cursor'));
      await harness.seed(object, [
        { code: 'N-1', name: 'one' },
        { code: 'N-2', name: 'two' },
        { code: 'N-3', name: 'three' },
      ]);
      // No cursor, as a flow without one gives it (SourceSpec.cursor undefined): a connector whose
      // cursor is optional would otherwise read by the key as a cursor.
      const source = portableSource(object, { batchSize: 2, cursor: undefined });

      const first = await readAll(harness.connector, source, undefined);
      expect(distinctKeys(first.changes).sort()).toEqual(['N-1', 'N-2', 'N-3']);
      await harness.update(object, 'N-2', { name: 'two, changed' });

      const second = await readAll(harness.connector, source, first.checkpoint);
      const changed = second.changes.filter((change) => change.key === 'N-2');
      expect(changed.length, 'the changed record is read again').toBeGreaterThan(0);
      for (const change of changed)
        expect(toSuiteRow(object, change.row)).toEqual({ code: 'N-2', name: 'two, changed' });
    });

    it('reads every record from no checkpoint by its cursor, and a record changed later from the stored checkpoint', async (test) => {
      requireCapabilities(test, context, 'source');
      const harness = context.harness();
      test.skip(harness.connector.capabilities.cursor === false, 'the connector reads without a cursor');
      const object = await prepare(test, context, recordSpec('cf_cursor', { cursor: true }));
      const names: Row = { 'C-1': 'one', 'C-2': 'two', 'C-3': 'three' };
      await harness.seed(
        object,
        Object.entries(names).map(([code, name]) => ({ code, name })),
      );
      const source = portableSource(object, { batchSize: 2 });
      const expectCurrent = (changes: readonly Change[]): void => {
        for (const change of changes)
          expect(toSuiteRow(object, change.row), `record ${change.key} as it is now`).toMatchObject({
            code: change.key,
            name: names[change.key],
          });
      };

      const first = await readAll(harness.connector, source, undefined);
      expect(distinctKeys(first.changes).sort()).toEqual(['C-1', 'C-2', 'C-3']);
      expectCurrent(first.changes);
      await harness.update(object, 'C-2', { name: 'two, changed' });
      names['C-2'] = 'two, changed';

      const second = await readAll(harness.connector, source, first.checkpoint);
      expect(keysOf(second.changes), 'the changed record is read after the checkpoint').toContain('C-2');
      expectCurrent(second.changes);
    });

    it('checkObjectName accepts the names of its objects and refuses a bad one with a message', async (test) => {
      const harness = context.harness();
      const check = harness.connector.checkObjectName?.bind(harness.connector);
      test.skip(check === undefined, 'the connector has no checkObjectName');
      const object = await prepare(test, context, recordSpec('cf_object_name'));

      expect(check?.(object.object), `the name of a prepared object (${object.object})`).toBeUndefined();
      for (const bad of BAD_NAMES) {
        const reason = check?.(bad);
        expect(typeof reason, `checkObjectName(${JSON.stringify(bad)}) gives a reason`).toBe('string');
        expect(reason?.trim().length, `the reason for ${JSON.stringify(bad)}`).toBeGreaterThan(0);
      }
    });

    it('checkFieldName accepts the names of its fields and refuses a bad one with a message', async (test) => {
      const harness = context.harness();
      const check = harness.connector.checkFieldName?.bind(harness.connector);
      test.skip(check === undefined, 'the connector has no checkFieldName');
      const object = await prepare(test, context, recordSpec('cf_field_name'));

      for (const field of Object.values(object.fields))
        expect(check?.(field), `the name of a prepared field (${field})`).toBeUndefined();
      for (const bad of BAD_NAMES) {
        const reason = check?.(bad);
        expect(typeof reason, `checkFieldName(${JSON.stringify(bad)}) gives a reason`).toBe('string');
        expect(reason?.trim().length, `the reason for ${JSON.stringify(bad)}`).toBeGreaterThan(0);
      }
    });
  });
}
