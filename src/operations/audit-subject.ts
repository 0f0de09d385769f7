/** Items named in an audit subject before the rest are only counted. */
const NAMED_ITEMS = 20;

/**
 * An audit subject naming a few items in full (`keys 17, 18`) and counting the rest
 * (`keys 1, 2, … (1,204 in all)`), so one entry stays readable however many records it touched.
 */
export function listSubject(noun: string, items: readonly string[]): string {
  if (items.length <= NAMED_ITEMS) return `${noun} ${items.join(', ')}`;
  return `${noun} ${items.slice(0, NAMED_ITEMS).join(', ')}, … (${items.length.toLocaleString('en-US')} in all)`;
}
