import type { Flow } from './flow.js';
import { diffFlow } from './flow-diff.js';

/** What a config is made of, as far as a reload can change it. */
export interface ConfigView {
  readonly flows: readonly Flow[];
  /**
   * Each connection's fingerprint by name (`config/connection-fingerprint.ts`): equal fingerprints,
   * same settings. Without it, connections are not compared.
   */
  readonly connections?: Readonly<Record<string, string>>;
  /** Each webhook inbox's fingerprint by name (the same digest as connections). Without it, not compared. */
  readonly webhooks?: Readonly<Record<string, string>>;
}

/** One flow whose config changed, with each change in the config's words. */
export interface FlowConfigChange {
  readonly flow: string;
  /** `fields.status map changed`, `cadence every 5m → 1m`, … */
  readonly changes: readonly string[];
}

/** What a new config changes against the running one. Plain JSON. */
export interface ConfigChangeSummary {
  readonly addedFlows: readonly string[];
  /** Flows no longer in the config: each stops after its running cycle. */
  readonly removedFlows: readonly string[];
  readonly changedFlows: readonly FlowConfigChange[];
  readonly addedConnections: readonly string[];
  readonly removedConnections: readonly string[];
  /** Connections whose settings changed: they get new connectors. */
  readonly changedConnections: readonly string[];
  /** Webhook inboxes added, removed or changed (`webhooks:`): their routes answer by the new settings. */
  readonly changedWebhooks: readonly string[];
}

/** A summary of no change. */
export function emptyConfigChange(): ConfigChangeSummary {
  return {
    addedFlows: [],
    removedFlows: [],
    changedFlows: [],
    addedConnections: [],
    removedConnections: [],
    changedConnections: [],
    changedWebhooks: [],
  };
}

/** Compares a running config with a new one; pure. Names are listed in the new config's order. */
export function diffConfig(before: ConfigView, after: ConfigView): ConfigChangeSummary {
  const old = new Map(before.flows.map((flow) => [flow.name, flow]));
  const next = new Set(after.flows.map((flow) => flow.name));
  const changedFlows: FlowConfigChange[] = [];
  for (const flow of after.flows) {
    const previous = old.get(flow.name);
    if (previous === undefined) continue;
    const changes = diffFlow(previous, flow);
    if (changes.length > 0) changedFlows.push({ flow: flow.name, changes });
  }
  const connections = diffConnections(before.connections, after.connections);
  return {
    addedFlows: after.flows.filter((flow) => !old.has(flow.name)).map((flow) => flow.name),
    removedFlows: before.flows.filter((flow) => !next.has(flow.name)).map((flow) => flow.name),
    changedFlows,
    ...connections,
    changedWebhooks: diffWebhooks(before.webhooks, after.webhooks),
  };
}

function diffWebhooks(
  before: Readonly<Record<string, string>> | undefined,
  after: Readonly<Record<string, string>> | undefined,
): string[] {
  if (before === undefined || after === undefined) return [];
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]);
}

function diffConnections(
  before: Readonly<Record<string, string>> | undefined,
  after: Readonly<Record<string, string>> | undefined,
): Pick<ConfigChangeSummary, 'addedConnections' | 'removedConnections' | 'changedConnections'> {
  if (before === undefined || after === undefined)
    return { addedConnections: [], removedConnections: [], changedConnections: [] };
  const names = (record: Readonly<Record<string, string>>): string[] => Object.keys(record);
  return {
    addedConnections: names(after).filter((name) => !(name in before)),
    removedConnections: names(before).filter((name) => !(name in after)),
    changedConnections: names(after).filter((name) => name in before && before[name] !== after[name]),
  };
}

/** Whether the new config changes nothing that runs. */
export function isConfigUnchanged(summary: ConfigChangeSummary): boolean {
  return (
    summary.addedFlows.length +
      summary.removedFlows.length +
      summary.changedFlows.length +
      summary.addedConnections.length +
      summary.removedConnections.length +
      summary.changedConnections.length +
      summary.changedWebhooks.length ===
    0
  );
}

/**
 * The summary as log lines, one per flow or connection: `flow orders: fields.status map changed;
 * cadence every 5m → 1m`, `flow invoices added`, `connection erp changed (new connector)`.
 */
export function describeConfigChange(summary: ConfigChangeSummary): string[] {
  return [
    ...summary.changedFlows.map((change) => `flow ${change.flow}: ${change.changes.join('; ')}`),
    ...summary.addedFlows.map((flow) => `flow ${flow} added`),
    ...summary.removedFlows.map((flow) => `flow ${flow} removed (stops after its running cycle)`),
    ...summary.changedConnections.map((name) => `connection ${name} changed (new connector)`),
    ...summary.addedConnections.map((name) => `connection ${name} added`),
    ...summary.removedConnections.map((name) => `connection ${name} removed`),
    ...summary.changedWebhooks.map((name) => `webhook inbox ${name} added, removed or changed`),
  ];
}

/**
 * The flows whose running loops a new config replaces: changed flows, and flows whose source or
 * target connection changed (their connectors are new).
 */
export function flowsToRestart(summary: ConfigChangeSummary, after: readonly Flow[]): Set<string> {
  const restart = new Set(summary.changedFlows.map((change) => change.flow));
  const connections = new Set(summary.changedConnections);
  for (const flow of after)
    if (connections.has(flow.sourceConnection) || connections.has(flow.targetConnection))
      restart.add(flow.name);
  return restart;
}
