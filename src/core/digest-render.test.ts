import { describe, expect, it } from 'vitest';
import type { DigestExpr, DigestSpec } from './digest.js';
import {
  assertBucketWidth,
  digestColumnNames,
  digestTexts,
  renderDigestExpr,
  type DigestDialect,
} from './digest-render.js';

const spec: DigestSpec = {
  flow: 'f',
  table: 't',
  key: 'id',
  columns: [
    { type: 'column', column: 'a', as: 'number' },
    { type: 'coalesce', of: { type: 'trim', column: 'b' }, fallback: '-' },
    { type: 'literal', text: 'x' },
  ],
  excludeFlagged: 'deleted',
  read: ['id', 'a'],
};

/** A dialect that spells each part out, to see what renderDigestExpr asks of it. */
const spelled: DigestDialect = {
  column: (name, as) => (name === 'json' ? undefined : `${as}(${name})`),
  trim: (name) => `trim(${name})`,
  map: (name, expr) => `map(${name}, ${expr.entries.length})`,
  truth: (name) => `truth(${name})`,
  literal: (text) => (text === null ? 'NULL' : `'${text}'`),
  coalesce: (sql, fallback) => `coalesce(${sql}, '${fallback}')`,
  flag: (truth) => `flag(${truth})`,
};

describe('digestTexts', () => {
  it('computes each expression as core/digest.ts defines it', () => {
    const exprs: DigestExpr[] = [
      { type: 'column', column: 'amount', as: 'number' },
      { type: 'column', column: 'at', as: 'instant' },
      { type: 'literal', text: null },
      { type: 'trim', column: 'name' },
      { type: 'trim', column: 'missing' },
      {
        type: 'map',
        column: 'status',
        entries: [
          ['a', 'A'],
          ['i', null],
        ],
        otherwise: '?',
        ifNull: 'none',
      },
      { type: 'map', column: 'other', entries: [['a', 'A']], otherwise: '?', ifNull: 'none' },
      { type: 'map', column: 'missing', entries: [], otherwise: '?', ifNull: 'none' },
      { type: 'coalesce', of: { type: 'column', column: 'missing', as: 'text' }, fallback: 'fallback' },
      { type: 'flag', column: 'deleted' },
      { type: 'flag', column: 'missing' },
    ];
    const row = {
      amount: '12.50',
      at: '2026-01-01T08:00:00',
      name: '\u3000 Ann\t',
      status: 'i',
      other: 'x',
      missing: null,
      deleted: ' Yes ',
    };
    expect(digestTexts(row, exprs, '+08:00')).toEqual([
      '12.5',
      '2026-01-01 00:00:00.000000',
      null,
      'Ann',
      null,
      null,
      '?',
      'none',
      'fallback',
      '1',
      '0',
    ]);
  });
});

describe('renderDigestExpr', () => {
  it('renders each expression with the dialect', () => {
    const render = (expr: DigestExpr): string =>
      renderDigestExpr(expr, spelled, (column, as) => {
        throw new Error(`${column} as ${as}`);
      });
    expect(spec.columns.map(render)).toEqual(['number(a)', "coalesce(trim(b), '-')", "'x'"]);
    expect(render({ type: 'flag', column: 'd' })).toBe('flag(truth(d))');
    expect(render({ type: 'map', column: 'm', entries: [['a', 'b']], otherwise: null, ifNull: null })).toBe(
      'map(m, 1)',
    );
    expect(() => render({ type: 'column', column: 'json', as: 'text' })).toThrow('json as text');
  });
});

describe('digestColumnNames and assertBucketWidth', () => {
  it('names every column a spec reads, once', () => {
    expect(digestColumnNames(spec)).toEqual(['id', 'a', 'b', 'deleted']);
  });

  it('accepts powers of two from 1 to 2^32 only', () => {
    for (const width of [1, 2, 2 ** 20, 2 ** 31, 2 ** 32])
      expect(() => {
        assertBucketWidth(spec, width);
      }).not.toThrow();
    for (const width of [0, 3, 0.5, 2 ** 33, -2, Number.NaN]) {
      expect(() => {
        assertBucketWidth(spec, width);
      }).toThrow(/no bucket width/);
    }
  });
});
