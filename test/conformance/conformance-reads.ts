import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import type { Change, ChangeBatch, Checkpoint, Connector, SourceSpec } from '../../src/core/connector.js';
import { neverAborted } from './conformance-context.js';

/** What one or more reads returned, and the checkpoint a flow would have stored after them. */
export interface ReadResult {
  readonly changes: Change[];
  readonly batchSizes: number[];
  readonly checkpoint: Checkpoint | undefined;
}

/** Stores a checkpoint as the state store would: as JSON. It must survive the trip unchanged. */
export function storeCheckpoint(checkpoint: Checkpoint): Checkpoint {
  const stored = JSON.parse(JSON.stringify(checkpoint)) as Checkpoint;
  expect(stored, 'a checkpoint must be plain JSON').toEqual(checkpoint);
  return stored;
}

function expectBatchWithinSize(source: SourceSpec, batch: ChangeBatch): void {
  expect(
    batch.changes.length,
    `a batch holds at most batchSize (${source.batchSize}) changes`,
  ).toBeLessThanOrEqual(source.batchSize);
}

/** One full `readChanges` call, every batch kept. */
export async function readAll(
  connector: Connector,
  source: SourceSpec,
  since: Checkpoint | undefined,
): Promise<ReadResult> {
  const changes: Change[] = [];
  const batchSizes: number[] = [];
  let checkpoint = since;
  for await (const batch of connector.readChanges(source, since, neverAborted)) {
    expectBatchWithinSize(source, batch);
    changes.push(...batch.changes);
    batchSizes.push(batch.changes.length);
    checkpoint = storeCheckpoint(batch.checkpoint);
  }
  return { changes, batchSizes, checkpoint };
}

/** The first batch of a read, then the read is abandoned (as a crash right after it would). */
export async function readOneBatch(
  connector: Connector,
  source: SourceSpec,
  since: Checkpoint | undefined,
): Promise<ChangeBatch | undefined> {
  for await (const batch of connector.readChanges(source, since, neverAborted)) {
    expectBatchWithinSize(source, batch);
    return batch;
  }
  return undefined;
}

/** Reads again and again from the stored checkpoint until a read returns nothing (lookback 0 only). */
export async function readUntilQuiet(
  connector: Connector,
  source: SourceSpec,
  since: Checkpoint | undefined,
  maxReads = 5,
): Promise<ReadResult> {
  const changes: Change[] = [];
  const batchSizes: number[] = [];
  let checkpoint = since;
  for (let read = 0; read < maxReads; read++) {
    const result = await readAll(connector, source, checkpoint);
    checkpoint = result.checkpoint;
    if (result.changes.length === 0) return { changes, batchSizes, checkpoint };
    changes.push(...result.changes);
    batchSizes.push(...result.batchSizes);
  }
  throw new Error(`readChanges still returned changes after ${maxReads} reads from the stored checkpoint`);
}

/**
 * Simulates a crash after every batch: each read handles one batch, stores its checkpoint and
 * stops; the next read starts from the stored checkpoint. Ends when a read has nothing new.
 */
export async function resumeAfterEachBatch(
  connector: Connector,
  source: SourceSpec,
  since: Checkpoint | undefined,
  maxReads = 50,
): Promise<ReadResult> {
  const changes: Change[] = [];
  const batchSizes: number[] = [];
  let checkpoint = since;
  for (let read = 0; read < maxReads; read++) {
    const batch = await readOneBatch(connector, source, checkpoint);
    if (batch === undefined) return { changes, batchSizes, checkpoint };
    const next = storeCheckpoint(batch.checkpoint);
    if (batch.changes.length === 0 && isDeepStrictEqual(next, checkpoint))
      return { changes, batchSizes, checkpoint };
    changes.push(...batch.changes);
    batchSizes.push(batch.changes.length);
    checkpoint = next;
  }
  throw new Error(`reading one batch at a time did not finish within ${maxReads} reads`);
}

/** The keys of changes, in arrival order. */
export function keysOf(changes: readonly Change[]): string[] {
  return changes.map((change) => change.key);
}

/** Distinct keys, sorted numerically. */
export function distinctKeys(changes: readonly Change[]): string[] {
  return [...new Set(keysOf(changes))].sort((a, b) => Number(a) - Number(b));
}

/** Ids as the keys a source reports them (text). */
export function keyTexts(ids: readonly number[]): string[] {
  return ids.map(String);
}

/** Keys that arrived more than once. */
export function duplicateKeys(changes: readonly Change[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const key of keysOf(changes)) {
    if (seen.has(key)) duplicates.add(key);
    seen.add(key);
  }
  return [...duplicates];
}
