import { afterAll, beforeAll, describe } from 'vitest';
import type { ConformanceContext } from './conformance-context.js';
import type { ConnectorHarness, ConnectorHarnessFactory } from './connector-harness.js';
import { describeDigestConformance } from './describe-digest-conformance.js';
import { describeLookupConformance } from './describe-lookup-conformance.js';
import { describeOutcomeConformance } from './describe-outcome-conformance.js';
import { describePortableConformance } from './describe-portable-conformance.js';
import { describeReadConformance } from './describe-read-conformance.js';
import { describeSafetyConformance } from './describe-safety-conformance.js';
import { describeSchemaConformance } from './describe-schema-conformance.js';
import { describeUpdateRangeConformance } from './describe-update-range-conformance.js';
import { describeWriteConformance } from './describe-write-conformance.js';

/**
 * The shared connector conformance suite: a connector is done when its integration test calls this
 * and every case passes. One harness serves the whole suite; each case prepares its own objects
 * (`ConnectorHarness.prepareObject`). Cases are skipped only by the connector's declared
 * capabilities, by what the harness declares (an absent `sql` or `readLines`, an object spec it
 * cannot offer), never by the connector's name. See README.md here.
 */
export function describeConnectorConformance(name: string, factory: ConnectorHarnessFactory): void {
  describe(`${name} connector conformance`, () => {
    let harness: ConnectorHarness | undefined;
    const context: ConformanceContext = {
      harness: () => {
        if (harness === undefined)
          throw new Error(`the ${name} harness was not created (see the beforeAll error)`);
        return harness;
      },
    };

    beforeAll(async () => {
      harness = await factory();
    });
    afterAll(async () => {
      await harness?.close();
    });

    describeSchemaConformance(context);
    describeReadConformance(context);
    describeLookupConformance(context);
    describeWriteConformance(context);
    describeSafetyConformance(context);
    describeDigestConformance(context);
    describeUpdateRangeConformance(context);
    describeOutcomeConformance(context);
    describePortableConformance(context);
  });
}
