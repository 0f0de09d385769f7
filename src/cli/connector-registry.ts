import type { ConfigIssue } from '../config/config-error.js';
import { secretValues } from '../config/secret.js';
import { parseWithSchema } from '../config/zod-issues.js';
import type {
  ConnectionEntryProposal,
  Connector,
  ConnectorContext,
  ConnectorDefinition,
} from '../core/connector.js';
import { mysqlConnector } from '../connectors/mysql/index.js';
import { postgresConnector } from '../connectors/postgres/index.js';
import { restConnector } from '../connectors/rest/index.js';
import { sqliteConnector } from '../connectors/sqlite/index.js';
import { webhookConnector } from '../connectors/webhook/index.js';
import { mqttConnector } from '../connectors/mqtt/index.js';
import { trytonConnector } from '../connectors/tryton/index.js';

/** A connection entry checked by its connector's own schema, ready to create the connector. */
export type ParsedConnection =
  | {
      readonly ok: true;
      /** Every secret value of the parsed entry (its `Secret`s), for the logger to redact. */
      readonly secrets: readonly string[];
      readonly create: (context: ConnectorContext) => Connector;
    }
  | { readonly ok: false; readonly issues: ConfigIssue[] };

/** A connector type with its config type erased, so definitions of different types share one map. */
export interface RegisteredConnector {
  readonly type: string;
  parse(raw: unknown, path: readonly PropertyKey[]): ParsedConnection;
  /** The entry this connector proposes for a URL or file (`syncline init`), if it serves it. */
  entryFor(location: string): ConnectionEntryProposal | undefined;
}

function register<Config>(definition: ConnectorDefinition<Config>): RegisteredConnector {
  return {
    type: definition.type,
    entryFor: (location) => definition.entryFor?.(location),
    parse: (raw, path) => {
      const parsed = parseWithSchema(definition.configSchema, raw, path);
      if (!parsed.ok) return parsed;
      return {
        ok: true,
        secrets: secretValues(parsed.value),
        create: (context) => definition.create(parsed.value, context),
      };
    },
  };
}

/** The entry the first connector serving a URL or file proposes for it (`syncline init --from/--to`). */
export function proposeConnectionEntry(location: string): ConnectionEntryProposal | undefined {
  for (const connector of connectorRegistry.values()) {
    const proposal = connector.entryFor(location);
    if (proposal !== undefined) return proposal;
  }
  return undefined;
}

/** Every connector type this build of Syncline knows, by the `type:` of a connection. */
export const connectorRegistry: ReadonlyMap<string, RegisteredConnector> = new Map(
  [
    register(postgresConnector),
    register(mysqlConnector),
    register(sqliteConnector),
    register(restConnector),
    register(webhookConnector),
    register(mqttConnector),
    register(trytonConnector),
  ].map((entry) => [entry.type, entry]),
);
