import { describe, expect, it } from 'vitest';
import { parseExpression } from '../config/expression-parser.js';
import type { Expression } from '../config/expression-ast.js';
import { evaluateCondition, evaluateExpression } from './expression-eval.js';
import type { Row } from './values.js';

function parsed(text: string): Expression {
  const result = parseExpression(text);
  if (!result.ok) throw new Error(`${text}: ${result.message}`);
  return result.expression;
}

function value(text: string, row: Row = {}): unknown {
  const result = evaluateExpression(parsed(text), row);
  return result.ok ? result.value : `failure: ${result.reason}`;
}

function matches(text: string, row: Row): unknown {
  const result = evaluateCondition(parsed(text), row);
  return result.ok ? result.value : `failure: ${result.reason}`;
}

const ADA: Row = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  code: 'a-17',
  amount: '1500.00',
  qty: 3,
  active: true,
};

describe('evaluateExpression', () => {
  it('computes a full name and a prefixed code', () => {
    expect(value("concat(first_name, ' ', last_name)", ADA)).toBe('Ada Lovelace');
    expect(value("'CRM-' || upper(code)", ADA)).toBe('CRM-A-17');
    expect(value("trim(concat(first_name, ' ', last_name))", { first_name: 'Ada', last_name: null })).toBe(
      'Ada',
    );
    expect(value("first_name || ' ' || last_name", { first_name: 'Ada', last_name: null })).toBeNull();
  });

  it('implements the text functions by characters, not UTF-16 units', () => {
    expect(value("substr('数据同步', 2, 2)")).toBe('据同');
    expect(value('substr(code, 3)', ADA)).toBe('17');
    expect(value("length('数据')")).toBe('2');
    expect(value("replace(code, '-', '')", ADA)).toBe('a17');
    expect(value('lower(coalesce(missing, first_name))', ADA)).toBe('ada');
    expect(value('substr(code, 0)', ADA)).toBe(
      'failure: substr() needs a start position of 1 or more, not number 0',
    );
  });

  it('chooses with case, and keeps numbers exact', () => {
    const tier = "case when amount >= 1000 then 'gold' when amount >= 100 then 'silver' else 'bronze' end";
    expect(value(tier, ADA)).toBe('gold');
    expect(value(tier, { amount: '99.99' })).toBe('bronze');
    expect(value(tier, { amount: null })).toBe('bronze');
    expect(value('case when false then 1 end')).toBeNull();
    expect(value('qty', ADA)).toBe('3');
    expect(value('0.1', {})).toBe('0.1');
    expect(value('amount = 1500', ADA)).toBe(true);
    expect(value('amount > 1499.999999999999999999', ADA)).toBe(true);
  });

  it('returns a failure, never throws, for values that do not fit', () => {
    expect(value('first_name > 5', ADA)).toBe('failure: cannot compare text "Ada" with number 5');
    expect(value('first_name and true', ADA)).toBe('failure: "and" needs true or false, not text "Ada"');
    expect(value('not qty', ADA)).toBe('failure: "not" needs true or false, not number 3');
    expect(value('case when code then 1 end', ADA)).toBe(
      'failure: "when" needs true or false, not text "a-17"',
    );
  });

  it("reads only the row's own columns: prototype names are NULL", () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(value(`coalesce(${name}, 'none')`, {})).toBe('none');
    const row = JSON.parse('{"__proto__": "own"}') as Row;
    expect(value('"__proto__"', row)).toBe('own');
  });
});

describe('evaluateCondition', () => {
  it('keeps rows whose filter is true; NULL counts as false', () => {
    expect(matches("status = 'won'", { status: 'won' })).toBe(true);
    expect(matches("status = 'won'", { status: 'lost' })).toBe(false);
    expect(matches("status = 'won'", { status: null })).toBe(false);
    expect(
      matches("status in ('won', 'closed') and not archived", { status: 'closed', archived: false }),
    ).toBe(true);
    expect(matches('status is null or amount < 0', { status: null, amount: '5' })).toBe(true);
    expect(matches("status not in ('lost')", { status: 'won' })).toBe(true);
  });

  it('reads booleans as databases store them', () => {
    expect(matches('active = true', { active: 1 })).toBe(true);
    expect(matches('active', { active: true })).toBe(true);
    expect(matches("active = 't'", { active: true })).toBe(true);
    expect(matches('active = false', { active: 0 })).toBe(true);
  });

  it('short-circuits like SQL and applies three-valued logic', () => {
    expect(matches('false and first_name > 5', { first_name: 'x' })).toBe(false);
    expect(matches('null or true', {})).toBe(true);
    expect(matches('null and true', {})).toBe(false);
    expect(matches('not (a = 1)', { a: null })).toBe(false);
  });

  it('refuses a filter that does not give true or false', () => {
    expect(matches('status', { status: 'won' })).toBe('failure: gives text "won", not true or false');
  });
});
