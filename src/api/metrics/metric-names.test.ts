import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeRuntime } from '../../../test/support/fake-runtime.js';
import { parseExposition, sampleValue } from '../../../test/support/prometheus-text.js';
import { customersFlowConfig, SqliteFlowFixture } from '../../../test/support/sqlite-flow-fixture.js';
import { compileFlow } from '../../core/flow.js';
import { silentLogger } from '../../core/logger.js';
import {
  createMetrics,
  METRIC_PREFIX,
  type MetricsInternals,
  type SynclineMetrics,
} from './syncline-metrics.js';

const metricsDoc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');

/** Rows of the tables in docs/metrics.md: `| \`name\` | type | labels | meaning | unit |`. */
const documented = new Map(
  [
    ...metricsDoc.matchAll(
      /^\|\s*`(syncline_[a-z0-9_]+)`\s*\|\s*(counter|gauge|histogram)\s*\|([^|\n]*)\|/gm,
    ),
  ].map((match) => [match[1] ?? '', { type: match[2] ?? '', labels: (match[3] ?? '').trim() }] as const),
);

/** The names prom-client's default (process) metrics take with our prefix; docs/metrics.md lists them apart. */
function defaultMetricNames(): Set<string> {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: METRIC_PREFIX });
  return new Set(register.getMetricsAsArray().map((metric) => metric.name));
}

let fixture: SqliteFlowFixture;
let metrics: SynclineMetrics & MetricsInternals;

beforeEach(async () => {
  fixture = await SqliteFlowFixture.create();
  metrics = createMetrics({
    runtime: new FakeRuntime(),
    operations: {
      flows: [compileFlow('customers', customersFlowConfig())],
      state: fixture.state,
      logger: silentLogger,
      portsFor: () => fixture.ports(),
      connector: () => fixture.target,
    },
    version: '9.8.7',
  });
});

afterEach(async () => {
  metrics.close();
  await fixture.close();
});

function registered(): { name: string; type: string; labels: string }[] {
  const defaults = defaultMetricNames();
  return metrics.register
    .getMetricsAsArray()
    .filter((metric) => !defaults.has(metric.name))
    .map((metric) => {
      // prom-client keeps label names on the metric object; its typings do not expose them.
      const { labelNames } = metric as unknown as { labelNames?: readonly string[] };
      return { name: metric.name, type: String(metric.type), labels: (labelNames ?? []).join(', ') };
    });
}

describe('docs/metrics.md', () => {
  it('lists exactly the registered metric names', () => {
    const names = registered().map((metric) => metric.name);
    expect(
      names.filter((name) => !documented.has(name)),
      'registered but not in docs/metrics.md',
    ).toEqual([]);
    expect(
      [...documented.keys()].filter((name) => !names.includes(name)),
      'in docs/metrics.md but not registered',
    ).toEqual([]);
  });

  it('states the type and label names of each metric as registered', () => {
    const wrong = registered()
      .map((metric) => ({ ...metric, doc: documented.get(metric.name) }))
      .filter(
        ({ type, labels, doc }) =>
          doc !== undefined && (doc.type !== type || doc.labels.replace('—', '') !== labels),
      )
      .map(
        ({ name, type, labels, doc }) =>
          `${name}: registered ${type} (${labels}), documented ${doc?.type ?? ''} (${doc?.labels ?? ''})`,
      );
    expect(wrong).toEqual([]);
  });
});

describe('metric names and labels', () => {
  it('prefixes every name with syncline_, ends counters in _total and nothing else', async () => {
    const exposition = parseExposition(await metrics.scrape());
    const names = [...exposition.families.keys()];
    expect(names.filter((name) => !name.startsWith('syncline_'))).toEqual([]);
    const counters = [...exposition.families.values()].filter((family) => family.type === 'COUNTER');
    expect(counters.filter((family) => !family.name.endsWith('_total')).map((family) => family.name)).toEqual(
      [],
    );
    // prom-client's own nodejs_active_*_total gauges break the rule; ours keep it.
    const others = [...exposition.families.values()].filter(
      (family) => family.type !== 'COUNTER' && !family.name.startsWith('syncline_nodejs_'),
    );
    expect(others.filter((family) => family.name.endsWith('_total')).map((family) => family.name)).toEqual(
      [],
    );
    expect(names.filter((name) => /_ms$|_milliseconds/.test(name))).toEqual([]);
  });

  it('reports the build with its version and Node.js', async () => {
    const exposition = parseExposition(await metrics.scrape());
    expect(
      sampleValue(exposition, 'syncline_build_info', { version: '9.8.7', node: process.versions.node }),
    ).toBe(1);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
