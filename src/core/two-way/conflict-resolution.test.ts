import { describe, expect, it } from 'vitest';
import type { Row, Value } from '../values.js';
import { newestSide, resolveConflict, type Version } from './conflict-resolution.js';
import { RecordComparison } from './record-comparison.js';
import type { ConflictPolicy, RecordPolicy } from './two-way-flow.js';

const comparison = new RecordComparison(
  ['name', 'credit_limit', 'phone'],
  new Map([
    ['name', { kind: 'text' as const }],
    ['credit_limit', { kind: 'number' as const }],
    ['phone', { kind: 'text' as const }],
  ]),
);

function version(values: Row, cursor: Value = '2026-11-11T10:00:00+00:00'): Version {
  return { values, canonical: comparison.canonical(values), cursor };
}

const base = comparison.canonical({ name: 'Acme', credit_limit: '100.00', phone: '1' });
const record = (policy: RecordPolicy): ConflictPolicy => ({ mode: 'record', policy });

describe('resolveConflict', () => {
  const source = version({ name: 'Acme CRM', credit_limit: '100', phone: '1' }, '2026-11-11T10:00:00+00:00');
  const target = version({ name: 'Acme', credit_limit: '250.00', phone: '2' }, '2026-11-11T11:00:00+00:00');

  it('takes the source record whole under source-wins', () => {
    const result = resolveConflict(record('source-wins'), base, source, target, comparison);
    expect(result).toMatchObject({ action: 'write', toTarget: true, toSource: false, winner: 'source' });
    if (result.action === 'write') expect(result.record).toEqual(source.values);
  });

  it('takes the target record whole under target-wins', () => {
    const result = resolveConflict(record('target-wins'), base, source, target, comparison);
    expect(result).toMatchObject({ action: 'write', toTarget: false, toSource: true, winner: 'target' });
  });

  it('takes the side with the later cursor under newest-wins, comparing instants across offsets', () => {
    const later = version({ name: 'Later' }, '2026-11-11T19:30:00+08:00'); // 11:30 UTC
    const earlier = version({ name: 'Earlier' }, '2026-11-11T11:00:00Z');
    expect(resolveConflict(record('newest-wins'), base, later, earlier, comparison)).toMatchObject({
      winner: 'source',
    });
    expect(resolveConflict(record('newest-wins'), base, earlier, later, comparison)).toMatchObject({
      winner: 'target',
    });
  });

  it('breaks a newest-wins tie in favour of the source', () => {
    const a = version({ name: 'A' }, '2026-11-11T11:00:00+00:00');
    const b = version({ name: 'B' }, '2026-11-11T19:00:00+08:00');
    expect(newestSide(a, b)).toBe('source');
    expect(newestSide(b, a)).toBe('source');
  });

  it('compares version-number cursors as numbers', () => {
    expect(newestSide(version({}, 9), version({}, 10))).toBe('target');
    expect(newestSide(version({}, '100'), version({}, '99'))).toBe('source');
  });

  it('parks both versions under manual, naming the fields that differ', () => {
    const result = resolveConflict(record('manual'), base, source, target, comparison);
    expect(result).toMatchObject({ action: 'park', fields: ['name', 'credit_limit', 'phone'] });
  });

  it('merges field by field: one-sided changes from their side, both-sided ones from the owner', () => {
    const policy: ConflictPolicy = {
      mode: 'fields',
      owners: new Map([
        ['credit_limit', 'target'],
        ['name', 'source'],
      ]),
      otherwise: 'manual',
    };
    const bothName = version({ name: 'Acme CRM', credit_limit: '100.00', phone: '9' });
    const bothNameTarget = version({ name: 'Acme ERP', credit_limit: '300.00', phone: '1' });
    const result = resolveConflict(policy, base, bothName, bothNameTarget, comparison);
    expect(result).toMatchObject({ action: 'write', toTarget: true, toSource: true, winner: 'merge' });
    if (result.action === 'write')
      expect(result.record).toMatchObject({ name: 'Acme CRM', credit_limit: '300.00', phone: '9' });
  });

  it('parks a field both sides changed that no side owns when otherwise is manual', () => {
    const policy: ConflictPolicy = {
      mode: 'fields',
      owners: new Map([['name', 'source']]),
      otherwise: 'manual',
    };
    const result = resolveConflict(
      policy,
      base,
      version({ name: 'Acme', credit_limit: '1', phone: '1' }),
      version({ name: 'Acme', credit_limit: '2', phone: '1' }),
      comparison,
    );
    expect(result).toMatchObject({ action: 'park' });
  });

  it('agrees when both sides changed to the same value in different notations', () => {
    const result = resolveConflict(
      record('manual'),
      base,
      version({ name: 'X', credit_limit: '12.50', phone: '1' }),
      version({ name: 'X', credit_limit: '12.5', phone: '1' }),
      comparison,
    );
    expect(result).toEqual({ action: 'agree' });
  });

  it('treats every differing field as changed on both sides when there is no base', () => {
    const policy: ConflictPolicy = {
      mode: 'fields',
      owners: new Map([['name', 'target']]),
      otherwise: 'source-wins',
    };
    const result = resolveConflict(
      policy,
      undefined,
      version({ name: 'S', credit_limit: '1', phone: 's' }),
      version({ name: 'T', credit_limit: '2', phone: 't' }),
      comparison,
    );
    if (result.action !== 'write') throw new Error(`expected a write, got ${result.action}`);
    expect(result.record).toMatchObject({ name: 'T', credit_limit: '1', phone: 's' });
  });
});
