import parsePrometheusTextFormat, {
  type PrometheusFamily,
  type PrometheusSample,
} from 'parse-prometheus-text-format';

/** A parsed `/metrics` text. */
export interface Exposition {
  /** Metric families by name, with their TYPE and HELP. */
  readonly families: ReadonlyMap<string, PrometheusFamily>;
  /** Every series by its sample name (`x_bucket`, `x_sum` and `x_count` for a histogram `x`). */
  readonly series: ReadonlyMap<string, readonly PrometheusSample[]>;
}

/**
 * Parses Prometheus text format with a third-party parser (parse-prometheus-text-format), which
 * throws on a malformed line; refuses a family without a TYPE. That parser folds the series of
 * a labelled histogram into one, so the series are read by a second pass without the TYPE lines,
 * where `x_bucket`, `x_sum` and `x_count` keep their labels.
 */
export function parseExposition(text: string): Exposition {
  const families = parsePrometheusTextFormat(text);
  const untyped = families.filter((family) => family.type === 'UNTYPED').map((family) => family.name);
  if (untyped.length > 0) throw new Error(`metrics without a TYPE line: ${untyped.join(', ')}`);
  const samplesOnly = text
    .split('\n')
    .filter((line) => !line.startsWith('#'))
    .join('\n');
  const series = new Map<string, PrometheusSample[]>();
  for (const family of parsePrometheusTextFormat(samplesOnly))
    series.set(family.name, [...(series.get(family.name) ?? []), ...family.metrics]);
  return { families: new Map(families.map((family) => [family.name, family])), series };
}

/**
 * The value of the series `name` whose labels include `labels`; undefined when there is none.
 * Throws when several series match (the test's labels are not specific enough).
 */
export function sampleValue(
  exposition: Exposition,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const matches = (exposition.series.get(name) ?? []).filter((sample) =>
    Object.entries(labels).every(([label, value]) => sample.labels?.[label] === value),
  );
  if (matches.length > 1)
    throw new Error(`${String(matches.length)} series of ${name} match ${JSON.stringify(labels)}`);
  const [sample] = matches;
  return sample?.value === undefined ? undefined : Number(sample.value);
}

/** Every label value of every series in the exposition, but histogram bucket bounds (`le`). */
export function labelValues(exposition: Exposition): string[] {
  return [...exposition.series.values()].flatMap((samples) =>
    samples.flatMap((sample) =>
      Object.entries(sample.labels ?? {})
        .filter(([label]) => label !== 'le')
        .map(([, value]) => value),
    ),
  );
}
