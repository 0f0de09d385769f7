import type { ConnectorHarness, CoreConnectorHarness } from '../conformance/connector-harness.js';
import { describeConnectorConformance } from '../conformance/connector-conformance.js';
import { createSqliteHarness } from './harness/sqlite-harness.js';

/**
 * The SQLite harness cut down to the required core, as a business system's harness is: no `sql`
 * (so no plain SQL, no late commits, no views or extra indexes) and no `readLines`. The suite must
 * build and pass on it, skipping exactly the cases that need what it does not declare.
 */
async function createCoreSqliteHarness(): Promise<CoreConnectorHarness> {
  const full = await createSqliteHarness();
  const core: CoreConnectorHarness = {
    connector: full.connector,
    prepareObject: full.prepareObject.bind(full),
    seed: full.seed.bind(full),
    update: full.update.bind(full),
    remove: full.remove.bind(full),
    readAll: full.readAll.bind(full),
    close: full.close.bind(full),
  };
  return core;
}

// A core harness is a whole harness: this line does not compile if the core grows a member.
const asHarness: () => Promise<ConnectorHarness> = createCoreSqliteHarness;

describeConnectorConformance('sqlite (core harness only)', asHarness);
