import { describeConnectorConformance } from '../conformance/connector-conformance.js';
import { createSqliteHarness } from './harness/sqlite-harness.js';

describeConnectorConformance('sqlite', createSqliteHarness);
