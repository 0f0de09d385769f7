import { describe, expect, it } from 'vitest';
import { classifyMysqlError, toConnectorError } from './mysql-errors.js';

/** What mysql2 hands over for a MariaDB CHECK violation: the number with MySQL's name for it. */
const mariadbCheckFailure = {
  errno: 4025,
  code: 'ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE',
  sqlMessage: 'CONSTRAINT `chk_credit` failed for `erp`.`customers`',
};

describe('MariaDB error 4025', () => {
  it('is a CHECK constraint violation naming the constraint, not MySQL’s name for 4025', () => {
    expect(classifyMysqlError(mariadbCheckFailure)).toBe('CONNECTOR_CONSTRAINT_VIOLATION');
    const error = toConnectorError(mariadbCheckFailure, { table: 'customers', key: '7' });
    expect(error.message).toContain('CHECK constraint "chk_credit" violated');
    expect(error.message).not.toContain('AUTOEXTEND');
    expect(error.retryable).toBe(false);
  });

  it('keeps the driver’s code for a 4025 that is not a CHECK message', () => {
    const error = toConnectorError({ errno: 4025, code: 'ER_X', sqlMessage: 'something else' });
    expect(error.message).toContain('[ER_X]');
  });
});

describe('the column at fault', () => {
  it('is the field of the error when the server names it', () => {
    const cases: [number, string, string][] = [
      [1406, "Data too long for column 'name' at row 1", 'name'],
      [1264, "Out of range value for column 'qty' at row 2", 'qty'],
      [1366, "Incorrect integer value: 'x' for column `erp`.`customers`.`qty` at row 1", 'qty'],
      [1048, "Column 'name' cannot be null", 'name'],
      [1364, "Field 'code' doesn't have a default value", 'code'],
    ];
    for (const [errno, sqlMessage, column] of cases)
      expect(toConnectorError({ errno, sqlMessage }, { key: '1' }).field).toBe(column);
    expect(toConnectorError({ errno: 1213, sqlMessage: 'Deadlock found' }).field).toBeUndefined();
  });
});

describe('a connection that fails as a whole', () => {
  const server = 'connection "erp" at db.local:3306';

  it('names the connection and its host, never the password', () => {
    const error = toConnectorError(
      { code: 'ETIMEDOUT', message: 'connect ETIMEDOUT' },
      { flow: 'customers', table: 'customers', server, secrets: ['hunter22'] },
    );
    expect(error.message).toMatch(
      /MySQL table customers \(connection "erp" at db\.local:3306\): connect ETIMEDOUT/,
    );
    expect(
      toConnectorError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, { server }).message,
    ).toMatch(/^MySQL connection "erp" at db\.local:3306: connect ECONNREFUSED/);
  });

  it('is not named in an error about one record', () => {
    const error = toConnectorError(
      { errno: 1406, sqlMessage: "Data too long for column 'name'" },
      { server },
    );
    expect(error.message).not.toContain('connection "erp"');
  });
});
