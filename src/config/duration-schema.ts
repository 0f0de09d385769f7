import { z } from 'zod';
import { parseDurationMs } from './duration.js';

const DURATION_MESSAGE = 'expected a duration such as 500ms, 30s, 5m, 1h or 1d';

/** What a bare number where a duration belongs is told: `every: 10` → write 10s. */
export function durationUnitMessage(value: number): string {
  return `a duration needs a unit: write ${value}s (or ${value}m)`;
}

/** Duration text, or a bare number: accepted here only to be refused with the unit it lacks. */
const durationInput = z.union([z.string(), z.number()], {
  error: 'a duration such as 500ms, 30s, 5m, 1h or 1d',
});

/**
 * A human duration in YAML (`500ms`, `30s`, `5m`, `1h`, `1d`), compiled to milliseconds.
 * Connector schemas use it too, so nothing past `config/` parses a duration.
 */
export const durationMs = durationInput.transform((text, context) => {
  if (typeof text === 'number') {
    context.addIssue({ code: 'custom', message: durationUnitMessage(text) });
    return z.NEVER;
  }
  const ms = parseDurationMs(text);
  if (ms === undefined) {
    context.addIssue({ code: 'custom', message: DURATION_MESSAGE });
    return z.NEVER;
  }
  return ms;
});

/** A duration longer than zero (an interval or a timeout), compiled to milliseconds. */
export const positiveDurationMs = durationMs.refine((ms) => ms > 0, { message: 'must be longer than zero' });
