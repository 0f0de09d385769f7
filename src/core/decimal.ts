/** Exact decimal text helpers: money and quantities never pass through binary floats. */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** Decimal text `normalizeDecimal` returns unchanged, unless it is a negative zero. */
const NORMAL_DECIMAL = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;
const NONZERO_DIGIT = /[1-9]/;
const MINUS = 0x2d;

/**
 * Normalises decimal text exactly: `+1.50` → `1.50`, `1e3` → `1000`, `.5` → `0.5`, `-0` → `0`.
 * Trailing zeros after the point are kept (the scale is part of the value for many ERPs).
 * Returns undefined when the text is not a decimal number.
 */
export function normalizeDecimal(text: string): string | undefined {
  // Most values arrive normalised already (a database's numeric text): they are returned as they
  // are, after one test, instead of being taken apart and rebuilt. Negative zero is not normal.
  if (NORMAL_DECIMAL.test(text) && (text.charCodeAt(0) !== MINUS || NONZERO_DIGIT.test(text))) return text;
  const match = DECIMAL.exec(text.trim());
  if (match === null) return undefined;
  const [, sign = '', whole = '', fraction = '', exponentText] = match;
  if (whole === '' && fraction === '') return undefined;
  let digits = whole + fraction;
  let point = whole.length + (exponentText === undefined ? 0 : Number(exponentText));
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  } else if (point > digits.length) {
    digits = digits + '0'.repeat(point - digits.length);
  }
  let integerPart = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  if (integerPart === '') integerPart = '0';
  const fractionPart = digits.slice(point);
  const body = fractionPart === '' ? integerPart : `${integerPart}.${fractionPart}`;
  const isZero = /^[0.]*$/.test(body);
  return sign === '-' && !isZero ? `-${body}` : body;
}

/** Compares two decimal texts exactly: negative, zero or positive like `a - b`. */
export function compareDecimals(a: string, b: string): number {
  const na = normalizeDecimal(a);
  const nb = normalizeDecimal(b);
  if (na === undefined || nb === undefined) throw new Error(`not decimal numbers: "${a}", "${b}"`);
  const negA = na.startsWith('-');
  const negB = nb.startsWith('-');
  if (negA !== negB) return negA ? -1 : 1;
  const magnitude = compareMagnitudes(negA ? na.slice(1) : na, negB ? nb.slice(1) : nb);
  return negA ? -magnitude : magnitude;
}

function compareMagnitudes(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  if (ai.length !== bi.length) return ai.length - bi.length;
  if (ai !== bi) return ai < bi ? -1 : 1;
  const width = Math.max(af.length, bf.length);
  const pa = af.padEnd(width, '0');
  const pb = bf.padEnd(width, '0');
  return pa === pb ? 0 : pa < pb ? -1 : 1;
}

/** Digits before and after the point of a normalised decimal (for precision/scale checks). */
export function decimalDigits(text: string): { integer: number; fraction: number } {
  const body = text.replace(/^-/, '');
  const [integerPart = '', fractionPart = ''] = body.split('.');
  return { integer: integerPart === '0' ? 0 : integerPart.length, fraction: fractionPart.length };
}
