import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseConfig } from './load-config.js';

function configWith(cadence: string): string {
  return `
connections:
  crm: { type: postgres, url: "postgres://crm" }
  erp: { type: mysql, url: "mysql://erp" }
flows:
  stock:
    source: { connection: crm, table: products, key: id, cursor: updated_at }
    target: { connection: erp, table: stock, key: crm_id }
    fields: { quantity: quantity }
    cadence: ${cadence}
`;
}

function issuesOf(cadence: string): string[] {
  try {
    parseConfig(configWith(cadence), { env: {} });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

const at = 'flows.stock.cadence';

describe('cadence config', () => {
  it('accepts every documented cadence key', () => {
    const config = parseConfig(
      configWith(`
      every: 10m
      timezone: Asia/Shanghai
      window: "22:00-02:00"
      freshness: 5m
      adaptive: { min: 30s, max: 1h }
      priority: high
      peaks:
        - { name: double11, every: 1m, from: "2026-11-10T20:00", to: "2026-11-12T02:00" }
        - { name: office, every: 5m, days: [mon, tue, wed, thu, fri], between: "09:00-11:00" }
        - { name: close, every: 15m, monthDays: [-1, -2] }
        - { name: launch, every: 30s, from: "2026-12-01T08:00+08:00", to: "2026-12-01T09:00Z" }`),
      { env: {} },
    );
    expect(config.flows.stock?.cadence?.peaks?.map((peak) => peak.name)).toEqual([
      'double11',
      'office',
      'close',
      'launch',
    ]);
    expect(issuesOf('{ every: 10m, adaptive: false, priority: low }')).toEqual([]);
  });

  it('keeps the keys of the first version working, and allows a timezone without cron', () => {
    expect(issuesOf('{ every: 1d }')).toEqual([]);
    expect(issuesOf('{ cron: "0 2 * * *", timezone: Asia/Shanghai }')).toEqual([]);
    expect(issuesOf('{ realtime: true, pollInterval: 250ms }')).toEqual([]);
    expect(issuesOf('{ every: 1h, timezone: Europe/Berlin, window: "01:00-05:00" }')).toEqual([]);
    expect(issuesOf('{ every: 1h, cron: "0 2 * * *" }')).toEqual([
      `${at}: give exactly one of "every", "cron" or "realtime"`,
    ]);
  });

  it('rejects a malformed window, an unknown zone and bad adaptive bounds, all at once', () => {
    expect(
      issuesOf(
        '{ every: 10m, window: "1:00-5:00", timezone: Mars/Olympus, adaptive: { min: 1h, max: 30s } }',
      ),
    ).toEqual([
      `${at}.timezone: unknown time zone; use an IANA name such as Asia/Shanghai or UTC`,
      `${at}.window: expected a daily window "HH:MM-HH:MM" such as "01:00-05:00" (it may cross midnight: "22:00-02:00"; start and end differ)`,
      `${at}.adaptive.max: must be at least "min"`,
    ]);
    expect(issuesOf('{ every: 10m, window: "05:00-05:00" }')).toHaveLength(1);
    expect(issuesOf('{ every: 10m, adaptive: { min: 30s } }')).toEqual([
      `${at}.adaptive.max: required (a duration such as 500ms, 30s, 5m, 1h or 1d)`,
    ]);
    expect(issuesOf('{ every: 10m, priority: urgent }')[0]).toMatch(/^flows\.stock\.cadence\.priority: /);
  });

  it('rejects an absolute peak that ends before it starts, or mixes offsets', () => {
    expect(
      issuesOf(
        '{ every: 10m, peaks: [{ name: d11, every: 1m, from: "2026-11-12T02:00", to: "2026-11-10T20:00" }] }',
      ),
    ).toEqual([`${at}.peaks[0].to: must be after "from" (2026-11-12T02:00)`]);
    expect(
      issuesOf(
        '{ every: 10m, peaks: [{ name: d11, every: 1m, from: "2026-11-10T20:00", to: "2026-11-12T02:00+08:00" }] }',
      ),
    ).toEqual([
      `${at}.peaks[0].to: give an offset on both "from" and "to", or on neither (then both are in the cadence time zone)`,
    ]);
    expect(
      issuesOf(
        '{ every: 10m, peaks: [{ name: d11, every: 1m, from: "2026-02-30T20:00", to: "2026-03-01T00:00" }] }',
      ),
    ).toEqual([
      `${at}.peaks[0].from: expected a date and time such as 2026-11-10T20:00 (in the cadence time zone) or 2026-11-10T20:00+08:00`,
    ]);
  });

  it('tells an absolute peak from a recurring one', () => {
    expect(issuesOf('{ every: 10m, peaks: [{ name: d11, every: 1m }] }')).toEqual([
      `${at}.peaks[0]: give "from" and "to" (an absolute peak) or "days", "between" and/or "monthDays" (a recurring peak)`,
    ]);
    expect(issuesOf('{ every: 10m, peaks: [{ name: d11, every: 1m, from: "2026-11-10T20:00" }] }')).toEqual([
      `${at}.peaks[0].to: required with "from"/"to" (an absolute peak)`,
    ]);
    expect(
      issuesOf(
        '{ every: 10m, peaks: [{ name: d11, every: 1m, from: "2026-11-10T20:00", to: "2026-11-11T20:00", days: [mon] }] }',
      ),
    ).toEqual([
      `${at}.peaks[0].days: an absolute peak ("from"/"to") cannot also have "days"; make a second peak for it`,
    ]);
  });

  it('names each bad part of a recurring peak', () => {
    const issues = issuesOf(
      '{ every: 10m, peaks: [{ name: close, every: 1m, days: [monday], between: "9:00-11:00", monthDays: [0, 32] }] }',
    );
    expect(issues.map((issue) => issue.split(': ')[0])).toEqual([
      `${at}.peaks[0].days[0]`,
      `${at}.peaks[0].between`,
      `${at}.peaks[0].monthDays[0]`,
      `${at}.peaks[0].monthDays[1]`,
    ]);
    expect(issues[2]).toBe(`${at}.peaks[0].monthDays[0]: use 1..31, or -1 for the last day of the month`);
  });

  it('rejects two peaks with one name, and a window on a realtime flow', () => {
    expect(
      issuesOf(
        '{ every: 10m, peaks: [{ name: a, every: 1m, days: [mon] }, { name: a, every: 1m, days: [tue] }] }',
      ),
    ).toEqual([`${at}.peaks[1].name: another peak is named "a"`]);
    expect(issuesOf('{ realtime: true, window: "01:00-05:00" }')).toEqual([
      `${at}.window: applies to "every" and "cron" flows; a realtime flow runs around the clock`,
    ]);
  });

  it('suggests the key meant for a typo inside a peak or the adaptive bounds', () => {
    expect(
      issuesOf(
        '{ every: 10m, windw: "01:00-05:00", adaptive: { min: 1m, mx: 1h, max: 2h }, peaks: [{ name: a, evry: 1m, every: 1m, days: [mon] }] }',
      ).sort(),
    ).toEqual([
      `${at}.adaptive.mx: unknown key; did you mean "max"?`,
      `${at}.peaks[0].evry: unknown key; did you mean "every"?`,
      `${at}.windw: unknown key; did you mean "window"?`,
    ]);
  });
});

describe('cadence intervals', () => {
  it('rejects an interval of zero with its path', async () => {
    const { parseConfig } = await import('./load-config.js');
    const { ConfigError } = await import('./config-error.js');
    const text = `
connections:
  a: { type: sqlite, path: a.db }
flows:
  f:
    source: { connection: a, table: s, key: id, cursor: v }
    target: { connection: a, table: t, key: id }
    fields: { name: name }
    cadence: { every: 0s }
`;
    let issues: string[] = [];
    try {
      parseConfig(text, { env: {} });
    } catch (error) {
      if (error instanceof ConfigError)
        issues = error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    }
    expect(issues).toEqual(['flows.f.cadence.every: must be longer than zero']);
  });
});

describe('compiled cadence', () => {
  it('carries durations in ms, the window and peaks parsed, and adaptive bounds in ms', () => {
    const config = parseConfig(
      configWith(`
      every: 10m
      timezone: Asia/Shanghai
      window: "22:00-02:00"
      freshness: 5m
      adaptive: { min: 30s, max: 1h }
      priority: high
      peaks:
        - { name: double11, every: 1m, from: "2026-11-10T20:00", to: "2026-11-12T02:00" }
        - { name: office, every: 1m30s, days: [mon, fri], between: "09:00-11:00", monthDays: [-1] }`),
      { env: {} },
    );
    expect(config.flows.stock?.cadence).toEqual({
      everyMs: 600_000,
      timezone: 'Asia/Shanghai',
      window: { text: '22:00-02:00', startMinute: 1_320, endMinute: 120 },
      freshnessMs: 300_000,
      adaptive: { minMs: 30_000, maxMs: 3_600_000 },
      priority: 'high',
      peaks: [
        {
          name: 'double11',
          everyMs: 60_000,
          from: {
            text: '2026-11-10T20:00',
            year: 2026,
            month: 11,
            day: 10,
            hour: 20,
            minute: 0,
            second: 0,
            offsetMs: undefined,
          },
          to: {
            text: '2026-11-12T02:00',
            year: 2026,
            month: 11,
            day: 12,
            hour: 2,
            minute: 0,
            second: 0,
            offsetMs: undefined,
          },
        },
        {
          name: 'office',
          everyMs: 90_000,
          days: ['mon', 'fri'],
          between: { text: '09:00-11:00', startMinute: 540, endMinute: 660 },
          monthDays: [-1],
        },
      ],
    });
  });

  it('compiles a realtime poll interval, and keeps cron and zone as written', () => {
    const realtime = parseConfig(configWith('{ realtime: true, pollInterval: 250ms, adaptive: false }'), {
      env: {},
    });
    expect(realtime.flows.stock?.cadence).toEqual({ realtime: true, pollIntervalMs: 250, adaptive: false });
    const cron = parseConfig(configWith('{ cron: "0 2 * * *", timezone: Asia/Shanghai }'), { env: {} });
    expect(cron.flows.stock?.cadence).toEqual({ cron: '0 2 * * *', timezone: 'Asia/Shanghai' });
  });

  it('compiles retry delays, the lookback and a reconcile interval to ms', () => {
    const text = configWith('{ every: 1h }').replace(
      'cursor: updated_at }',
      'cursor: updated_at, lookback: 2m }\n    retry: { attempts: 3, initialDelay: 250ms, maxDelay: 1m }\n    reconcile: { every: 6h, repair: true }',
    );
    const flow = parseConfig(text, { env: {} }).flows.stock;
    expect(flow?.source.lookback).toEqual({ ms: 120_000, appliesTo: 'time' });
    expect(flow?.retry).toEqual({ attempts: 3, initialDelayMs: 250, maxDelayMs: 60_000 });
    expect(flow?.reconcile).toEqual({ everyMs: 21_600_000, repair: true });
    const numeric = parseConfig(text.replace('lookback: 2m', 'lookback: 5'), { env: {} }).flows.stock;
    expect(numeric?.source.lookback).toEqual({ ms: 5, appliesTo: 'any' });
    expect(() => parseConfig(text.replace('lookback: 2m', 'lookback: soon'), { env: {} })).toThrow(
      /flows\.stock\.source\.lookback: expected a duration such as 5m, or a number of at least 0/,
    );
  });
});
