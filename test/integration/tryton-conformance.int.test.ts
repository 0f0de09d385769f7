import { describeConnectorConformance } from '../conformance/connector-conformance.js';
import { createTrytonHarness } from './harness/tryton-harness.js';

// The shared connector conformance suite on the Tryton connector, against its own Tryton 6.0
// (test/support/tryton.ts): the portable record on account.tax.code, a record with lines on
// party.party with its addresses (see the harness).
describeConnectorConformance('tryton', createTrytonHarness);
