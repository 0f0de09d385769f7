const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/**
 * Parses a human duration (`500ms`, `30s`, `5m`, `1h`, `1d`, `1w`, or compound `1h30m`) into
 * milliseconds; undefined when the text is not a duration.
 */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let total = 0;
  let rest = trimmed;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/.exec(rest);
    if (match === null) return undefined;
    const [whole, amount, unit] = match as unknown as [string, string, keyof typeof UNIT_MS];
    total += Number(amount) * UNIT_MS[unit];
    rest = rest.slice(whole.length);
  }
  return DURATION.test(trimmed) || total > 0 ? Math.round(total) : undefined;
}

/** Formats milliseconds as the shortest readable duration: `90000` → `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1_000);
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)}${unit}`);
      rest %= seconds;
    }
  }
  return parts.join('');
}

/**
 * A duration given on the command line (`--duration 30s`), in ms: a CLI flag is a boundary like
 * the config file. Undefined when the text is not a duration longer than zero.
 */
export function parseDurationFlag(text: string): number | undefined {
  const ms = parseDurationMs(text);
  return ms === undefined || ms <= 0 ? undefined : ms;
}
