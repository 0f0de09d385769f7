import type { OperationsContext } from '../operations/operations-context.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Engine } from './engine.js';

/**
 * The operations context of a serving process that follows the config in use: after a reload
 * the API, the metrics and the alerts see the new flows and connectors without being rebuilt.
 */
export function liveOperations(
  engine: Engine,
  runtime: Runtime,
): OperationsContext & { readonly runtime: Runtime } {
  return {
    get flows() {
      return engine.operations.flows;
    },
    get state() {
      return engine.operations.state;
    },
    get logger() {
      return engine.operations.logger;
    },
    get reloader() {
      return engine.operations.reloader;
    },
    portsFor: (flow) => engine.operations.portsFor(flow),
    connector: (name) => engine.operations.connector(name),
    runtime,
  };
}
