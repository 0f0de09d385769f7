import { describe, expect, it } from 'vitest';
import { hasUnencodedPasswordChars } from './url-password.js';

describe('hasUnencodedPasswordChars', () => {
  it('finds an unencoded @ or # in the password', () => {
    expect(hasUnencodedPasswordChars('mysql://sync:p@ss@db.local:3306/erp')).toBe(true);
    expect(hasUnencodedPasswordChars('mysql://sync:p#ss@db.local:3306/erp')).toBe(true);
    expect(hasUnencodedPasswordChars('postgres://sync:a@b#c@db.local/crm')).toBe(true);
  });

  it('accepts encoded passwords, URLs without one, and a # after the host', () => {
    expect(hasUnencodedPasswordChars('mysql://sync:p%40ss%23@db.local:3306/erp')).toBe(false);
    expect(hasUnencodedPasswordChars('postgres://db.local/crm')).toBe(false);
    expect(hasUnencodedPasswordChars('postgres://u:pw@db.local/crm?sslmode=require#x')).toBe(false);
  });
});
