import type { TestContext } from 'vitest';
import type { ConnectorCapabilities } from '../../src/core/connector.js';
import type { ConnectorHarness } from './connector-harness.js';

/** What every group of conformance cases is handed: the live harness, made in `beforeAll`. */
export interface ConformanceContext {
  /** The harness of the connector under test; available inside test bodies only. */
  readonly harness: () => ConnectorHarness;
}

/** A signal that is never aborted, for calls the cases do not mean to stop. */
export const neverAborted: AbortSignal = new AbortController().signal;

/** Skips the running case unless the connector declares every one of these capabilities. */
export function requireCapabilities(
  test: TestContext,
  context: ConformanceContext,
  ...capabilities: (keyof ConnectorCapabilities)[]
): void {
  const missing = capabilities.filter((capability) => !context.harness().connector.capabilities[capability]);
  test.skip(missing.length > 0, `the connector does not declare ${missing.join(', ')}`);
}
