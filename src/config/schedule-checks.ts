import { Cron } from 'croner';

/** Whether a cron expression (five fields, or six with seconds) is valid. */
export function isValidCron(expression: string): boolean {
  try {
    new Cron(expression, { paused: true });
    return true;
  } catch {
    return false;
  }
}

/** Whether an IANA time zone name is known to this runtime. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
