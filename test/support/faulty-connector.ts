import type {
  Change,
  ChangeBatch,
  Checkpoint,
  Connector,
  ConnectorCapabilities,
  ProbeResult,
  SourceSpec,
  TableSchema,
  TargetRecord,
  TargetSpec,
  WriteResult,
} from '../../src/core/connector.js';
import type { ErrorCode } from '../../src/core/error-codes.js';
import { ConnectorError } from '../../src/core/errors.js';

/** Which `writeBatch` calls (1-based, counted over the wrapper's life) fail, and how. */
interface WriteFault {
  readonly code: ErrorCode;
  readonly fromCall: number;
  /** Inclusive; `Infinity` for "until healed". */
  readonly toCall: number;
  /** `before`: nothing reaches the target; `after`: the target acknowledged, then the call fails. */
  readonly when: 'before' | 'after';
  /** Aborted when an `after` fault fires, as if the process died right there. */
  readonly crash?: AbortController;
}

interface ReadFault {
  readonly code: ErrorCode;
  /** Batches each `readChanges` call hands out before it throws. */
  readonly afterBatches: number;
  remaining: number;
}

/**
 * A Connector that delegates to a real one and injects faults: a ConnectorError of a chosen code
 * on chosen `writeBatch` calls (before or after the real write), or from `readChanges` after some
 * batches. It records what the target acknowledged and what the source handed out, so tests can
 * prove that no change was lost or written twice.
 */
export class FaultyConnector implements Connector {
  readonly capabilities: ConnectorCapabilities;
  /** Source keys of each acknowledged `writeBatch` call, in order. */
  readonly acknowledged: string[][] = [];
  /** The checkpoint of every `readChanges` call, in order. */
  readonly readsSince: (Checkpoint | undefined)[] = [];
  /** Every batch `readChanges` handed out, in order. */
  readonly batches: ChangeBatch[] = [];
  /** `writeBatch` calls so far, failed ones included. */
  writeCalls = 0;
  /** Source keys of every `writeBatch` call that reached the target, refused ones included, in order. */
  readonly attempted: string[][] = [];
  readonly #inner: Connector;
  #writeFaults: WriteFault[] = [];
  #readFault: ReadFault | undefined;
  #beforeWrite: ((call: number) => Promise<void> | void) | undefined;
  #afterWrite: ((call: number) => Promise<void> | void) | undefined;

  /** The inner connector's checksums, zone and range reads, passed through unchanged. */
  readonly digests: Connector['digests'];
  readonly wallClockZone: Connector['wallClockZone'];
  readonly readRange: Connector['readRange'];

  constructor(inner: Connector) {
    this.#inner = inner;
    this.capabilities = inner.capabilities;
    this.digests = inner.digests;
    this.wallClockZone = inner.wallClockZone;
    this.readRange = inner.readRange?.bind(inner);
  }

  /** Fails `times` calls from the `onCall`-th on (`Infinity`: until `heal()`), before writing. */
  failWrites(code: ErrorCode, options: { onCall: number; times?: number }): void {
    const toCall = options.onCall + (options.times ?? 1) - 1;
    this.#writeFaults.push({ code, fromCall: options.onCall, toCall, when: 'before' });
  }

  /**
   * Lets the `onCall`-th call reach the target, then aborts `crash` and fails: the target has
   * acknowledged the batch, but the cycle dies before the state store records it.
   */
  crashAfterWrite(options: { onCall: number; crash: AbortController }): void {
    this.#writeFaults.push({
      code: 'INTERNAL',
      fromCall: options.onCall,
      toCall: options.onCall,
      when: 'after',
      crash: options.crash,
    });
  }

  /** Makes the next `times` `readChanges` calls throw after handing out `afterBatches` batches. */
  failReadAfter(afterBatches: number, code: ErrorCode, times = 1): void {
    this.#readFault = { code, afterBatches, remaining: times };
  }

  /** Runs (and awaits) `hook` at the start of every `writeBatch` call, before any fault. */
  beforeWrite(hook: (call: number) => Promise<void> | void): void {
    this.#beforeWrite = hook;
  }

  /** Runs (and awaits) `hook` once the target acknowledged a `writeBatch` call, before it returns. */
  afterWrite(hook: (call: number) => Promise<void> | void): void {
    this.#afterWrite = hook;
  }

  /** Removes every fault and hook. */
  heal(): void {
    this.#writeFaults = [];
    this.#readFault = undefined;
    this.#beforeWrite = undefined;
    this.#afterWrite = undefined;
  }

  /** How many acknowledged writes carried this source key. */
  writesOf(key: string): number {
    return this.acknowledged.filter((keys) => keys.includes(key)).length;
  }

  /** Every acknowledged source key, in write order, repeats included. */
  acknowledgedKeys(): string[] {
    return this.acknowledged.flat();
  }

  probe(signal: AbortSignal): Promise<ProbeResult> {
    return this.#inner.probe(signal);
  }

  describeTable(table: string, signal: AbortSignal): Promise<TableSchema | undefined> {
    return this.#inner.describeTable(table, signal);
  }

  async *readChanges(
    source: SourceSpec,
    since: Checkpoint | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<ChangeBatch> {
    this.readsSince.push(since);
    const fault = this.#readFault;
    let handedOut = 0;
    for await (const batch of this.#inner.readChanges(source, since, signal)) {
      if (fault !== undefined && fault.remaining > 0 && handedOut === fault.afterBatches) {
        fault.remaining -= 1;
        throw new ConnectorError(
          fault.code,
          `Flow "${source.flow}": injected read failure after ${handedOut} batches of ${source.table}`,
          { flow: source.flow },
        );
      }
      this.batches.push(batch);
      handedOut += 1;
      yield batch;
    }
  }

  readByKeys(source: SourceSpec, keys: readonly string[], signal: AbortSignal): Promise<Change[]> {
    return this.#inner.readByKeys(source, keys, signal);
  }

  countPending(
    source: SourceSpec,
    since: Checkpoint | undefined,
    limit: number,
    signal: AbortSignal,
  ): Promise<number> {
    return this.#inner.countPending(source, since, limit, signal);
  }

  async writeBatch(
    target: TargetSpec,
    records: readonly TargetRecord[],
    signal: AbortSignal,
  ): Promise<WriteResult> {
    this.writeCalls += 1;
    const call = this.writeCalls;
    await this.#beforeWrite?.(call);
    const fault = this.#writeFaults.find((entry) => call >= entry.fromCall && call <= entry.toCall);
    const fail = (when: string): ConnectorError =>
      new ConnectorError(
        fault?.code ?? 'INTERNAL',
        `Flow "${target.flow}": injected fault ${when} write ${call}`,
        {
          flow: target.flow,
        },
      );
    if (fault?.when === 'before') throw fail('before');
    this.attempted.push(records.map((record) => record.key));
    const result = await this.#inner.writeBatch(target, records, signal);
    this.acknowledged.push(records.map((record) => record.key));
    await this.#afterWrite?.(call);
    if (fault?.when === 'after') {
      fault.crash?.abort(new Error(`injected crash after write ${call} was acknowledged`));
      throw fail('after');
    }
    return result;
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}
