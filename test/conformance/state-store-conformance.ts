import { afterEach, beforeEach, describe } from 'vitest';
import type { StateStore } from '../../src/core/state-store.js';
import { describeAuditCases } from './state-store-audit-cases.js';
import { describeBatchCases } from './state-store-batch-cases.js';
import { describeDashboardCases } from './state-store-dashboard-cases.js';
import { describeConflictCases } from './state-store-conflict-cases.js';
import { describeDeadLetterCases } from './state-store-dead-letter-cases.js';
import { describeInboxCases } from './state-store-inbox-cases.js';
import { describeKeyMapCases } from './state-store-key-map-cases.js';
import { describeLeaseCases } from './state-store-lease-cases.js';
import { describePageCases } from './state-store-page-cases.js';
import { describeReconciliationCases } from './state-store-reconciliation-cases.js';
import { describeRunAndMetaCases } from './state-store-run-cases.js';
import { describeTokenCases } from './state-store-token-cases.js';

/** What a store's integration test hands the suite: a store on fresh, empty storage. */
export interface StateStoreFixture {
  /** Not yet initialised: the suite calls `init()` itself. */
  readonly store: StateStore;
  /** Closes the store (it may already be closed) and removes its storage. */
  cleanup(): Promise<void>;
}

/** Makes one fixture; called before every case. */
export type StateStoreFactory = () => Promise<StateStoreFixture>;

/**
 * The contract every StateStore keeps (SQLite, PostgreSQL): checkpoints of both directions, the key
 * map with synced hashes, target ids and bases, atomic batch commits, dead letters, conflicts, runs,
 * the audit log, reconciliations, counts and pages, leases with their fencing tokens, flow meta, API tokens and the inbox of pushed events. A store is done only when
 * its integration test calls this and passes. Each case gets a fresh store from `factory` and uses
 * flow names of its own.
 */
export function describeStateStoreConformance(name: string, factory: StateStoreFactory): void {
  describe(`StateStore conformance: ${name}`, () => {
    let fixture: StateStoreFixture | undefined;

    beforeEach(async () => {
      fixture = await factory();
      await fixture.store.init();
    });

    afterEach(async () => {
      const done = fixture;
      fixture = undefined;
      await done?.cleanup();
    });

    const current = (): StateStore => {
      if (fixture === undefined) throw new Error('The state store fixture was not created');
      return fixture.store;
    };

    describeBatchCases(current);
    describeKeyMapCases(current);
    describeDeadLetterCases(current);
    describeConflictCases(current);
    describeRunAndMetaCases(current);
    describeAuditCases(current);
    describeReconciliationCases(current);
    describeLeaseCases(current);
    describePageCases(current);
    describeDashboardCases(current);
    describeTokenCases(current);
    describeInboxCases(current);
  });
}
