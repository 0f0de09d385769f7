import { describeConnectorConformance } from '../conformance/connector-conformance.js';
import { createMysqlHarness } from './harness/mysql-harness.js';

describeConnectorConformance('mysql', () => createMysqlHarness({ label: 'mysqlconformance' }));
