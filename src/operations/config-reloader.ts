import type { ConfigChangeSummary } from '../core/config-diff.js';
import type { EngineContext } from '../runtime/runtime.js';

/** A new config, read and checked, not yet in use. */
export interface PreparedConfig {
  /** What the runtime runs from now on (`Runtime.reconfigure`). */
  readonly context: EngineContext;
  /** What it changes against the config in use, connections included. */
  readonly summary: ConfigChangeSummary;
  /** Makes it the config of this process (operations, status); called once the runtime runs it. */
  commit(): void;
  /** Drops it: closes the connectors made for it only. */
  discard(): Promise<void>;
}

/** Reads the config again, the way start-up reads it (the CLI's engine implements it). */
export interface ConfigReloader {
  /** Where the config comes from (its file), for the log and the audit entry. */
  readonly source: string;
  /**
   * Reads and checks the config: its shape and references, each connection by its connector, and
   * the live schemas of new and changed flows. Throws a ConfigError listing every problem.
   */
  prepareReload(signal: AbortSignal): Promise<PreparedConfig>;
}
