import { describeConnectorConformance } from '../conformance/connector-conformance.js';
import { createRestHarness } from './harness/rest-harness.js';

// The generic REST connector on the shared conformance suite, against the test API's HubSpot CRM
// v3 objects (test/support/rest-api-hubspot.ts), one custom object type per case.
describeConnectorConformance('rest', createRestHarness);
