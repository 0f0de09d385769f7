/**
 * Value formats of the demo databases: money and quantities as exact decimal text computed in
 * integer cents (or thousandths), timestamps as ISO 8601 text in China Standard Time.
 */

/** The offset the sample CRM stores its timestamps in. */
const OFFSET = '+08:00';
const OFFSET_MS = 8 * 3_600_000;

function fixed(units: number, scale: number): string {
  const sign = units < 0 ? '-' : '';
  const digits = String(Math.abs(units)).padStart(scale + 1, '0');
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Cents as decimal text with two places: `125000` → `1250.00`. */
export function money(cents: number): string {
  return fixed(cents, 2);
}

/** Thousandths as decimal text with three places: `2500` → `2.500`. */
export function quantity(thousandths: number): string {
  return fixed(thousandths, 3);
}

/** Epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmm+08:00`: one fixed format, so text order is time order. */
export function timestampAt(epochMs: number): string {
  return `${new Date(epochMs + OFFSET_MS).toISOString().slice(0, 23)}${OFFSET}`;
}

/** The calendar date in China Standard Time: `YYYY-MM-DD`. */
export function dateAt(epochMs: number): string {
  return new Date(epochMs + OFFSET_MS).toISOString().slice(0, 10);
}

/** Value-added tax of China, 13 %, rounded half up to the cent. */
export function vatCents(netCents: number): number {
  return Math.floor((netCents * 13 + 50) / 100);
}

/** Decimal text as an integer of its smallest unit at this scale: `unitsOf('129.9', 2)` → `12990`. */
export function unitsOf(text: string, scale: number): number {
  const [whole = '0', fraction = ''] = text.trim().split('.');
  const sign = whole.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 10 ** scale + Number(fraction.padEnd(scale, '0').slice(0, scale)));
}
