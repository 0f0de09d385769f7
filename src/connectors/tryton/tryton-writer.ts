import type { RecordOutcome, TargetRecord, TargetSpec, WriteResult } from '../../core/connector.js';
import { ConnectorError } from '../../core/errors.js';
import { callWithFallback, refusalJson } from './tryton-batch-calls.js';
import { isRecordError } from './tryton-errors.js';
import type { TrytonModel, TrytonModels } from './tryton-models.js';
import { PARTY_MODEL } from './tryton-party.js';
import type { TrytonRpcClient } from './tryton-rpc.js';
import { readSnapshot } from './tryton-snapshot.js';
import type { RpcValue } from './tryton-values.js';
import { cancelButton, isStartState, transitions } from './tryton-workflow.js';
import {
  ARCHIVE_FIELD,
  isUnchanged,
  keyText,
  planRecord,
  type LineRelation,
  type PlannedRecord,
} from './tryton-write-plan.js';

/** One call's worth of a flow's batch, and what became of each record. */
class ChunkWriter {
  readonly outcomes: RecordOutcome[] = [];

  constructor(
    readonly client: TrytonRpcClient,
    readonly target: TargetSpec,
    readonly model: TrytonModel,
    readonly signal: AbortSignal,
  ) {}

  refuse(record: TargetRecord, error: ConnectorError): void {
    this.outcomes.push({
      key: record.key,
      status: 'refused',
      error: refusalJson(error, record.key, this.target.flow, this.model.labels),
    });
  }

  call(method: string, params: readonly RpcValue[]): Promise<RpcValue> {
    return this.client.call(`model.${this.model.name}.${method}`, params, this.signal);
  }

  /** Calls `button` for the records, one call for all, one by one when Tryton refuses one. Returns those that passed. */
  async button<T extends { readonly record: TargetRecord; readonly id: number }>(
    button: string,
    items: readonly T[],
  ): Promise<T[]> {
    const result = await callWithFallback(items, async (some) => {
      await this.call(button, [some.map((item) => item.id)]);
      return some.map(() => null);
    });
    for (const { item, error } of result.refused) this.refuse(item.record, error);
    return result.done.map(([item]) => item);
  }

  /** Moves each record along its workflow path, grouping records that take the same buttons. */
  async transition(
    items: readonly { record: TargetRecord; id: number; buttons: readonly string[] }[],
  ): Promise<Set<string>> {
    const failed = new Set<string>();
    const groups = new Map<string, (typeof items)[number][]>();
    for (const item of items) {
      const group = groups.get(item.buttons.join(' ')) ?? [];
      group.push(item);
      groups.set(item.buttons.join(' '), group);
    }
    for (const group of groups.values()) {
      let remaining = group;
      for (const button of group[0]?.buttons ?? []) {
        const passed = await this.button(button, remaining);
        for (const item of remaining) if (!passed.includes(item)) failed.add(item.record.key);
        remaining = passed;
      }
    }
    return failed;
  }
}

/**
 * Writes a flow's batch to a Tryton model: one `search_read` of the keys, one `create` for the
 * new records, one `write` (`[ids, values, ids2, values2, …]`) for the existing ones, then the
 * workflow buttons of mapped states; deletes per the flow's policy. A call Tryton refuses for a
 * record's reason is made again one record at a time, so exactly the refused records are
 * reported (`refused`, with Tryton's message) and the others written.
 */
export async function writeTrytonBatch(
  client: TrytonRpcClient,
  models: TrytonModels,
  target: TargetSpec,
  records: readonly TargetRecord[],
  signal: AbortSignal,
): Promise<WriteResult> {
  const model = await models.get(target.table, signal);
  const writer = new ChunkWriter(client, target, model, signal);
  const relations: LineRelation[] = [];
  const unknownLines: string[] = [];
  for (const spec of target.lines ?? []) {
    const relation = model.fields.get(spec.name)?.relation;
    if (relation === undefined) unknownLines.push(spec.name);
    else relations.push({ spec, model: await models.get(relation, signal) });
  }
  const addressModel = model.name === PARTY_MODEL ? await models.get('party.address', signal) : undefined;
  let snapshot;
  try {
    snapshot = await readSnapshot(client, target, model, records, relations, signal);
  } catch (error) {
    // An access or record rule on reading the model (`You are not allowed to access "Sale".`) is
    // the records' refusal, like the same rule on writing them.
    if (!isRecordError(error)) throw error;
    for (const record of records) writer.refuse(record, error);
    return { written: 0, outcomes: writer.outcomes };
  }

  const [unknown] = unknownLines;
  if (unknown !== undefined) {
    // An unknown field is the record's (as Tryton's own KeyError is): every record carrying these lines.
    const error = new ConnectorError(
      'CONNECTOR_COLUMN_NOT_FOUND',
      `Tryton model "${model.name}" has no one2many field "${unknown}" for the lines "${unknown}" (or the user may not read it)`,
      { field: unknown },
    );
    for (const record of records) writer.refuse(record, error);
    return { written: 0, outcomes: writer.outcomes };
  }

  const deletes = records.filter((record) => record.op === 'delete');
  await deleteRecords(writer, deletes, snapshot.found);

  const planned: PlannedRecord[] = [];
  for (const record of records) {
    if (record.op === 'delete') continue;
    try {
      const plan = planRecord(target, model, record, relations, snapshot, addressModel);
      if (plan.existing === undefined && record.op === 'update')
        writer.outcomes.push({ key: record.key, status: 'not-found' });
      else if (plan.existing !== undefined && isUnchanged(model, plan))
        writer.outcomes.push({ key: record.key, status: 'unchanged', id: plan.existing.id });
      else planned.push(plan);
    } catch (error) {
      if (!isRecordError(error)) throw error;
      writer.refuse(record, error);
    }
  }

  // Back to the first state (draft) before writing: only then are the record's values editable.
  const before = planned.flatMap((plan) => {
    const { state, existing } = plan;
    if (state === undefined || existing === undefined || !isStartState(model.name, state)) return [];
    const buttons = transitions(model.name, existing.state, state) ?? [];
    return buttons.length > 0 ? [{ record: plan.record, id: existing.id, buttons }] : [];
  });
  const failedBefore = await writer.transition(before);
  const writable = planned.filter((plan) => !failedBefore.has(plan.record.key));

  const created = await callWithFallback(
    writable.filter((plan) => plan.existing === undefined),
    async (some) => {
      const ids = await writer.call('create', [some.map((plan) => plan.values)]);
      return Array.isArray(ids) ? (ids as number[]) : [];
    },
  );
  const updated = await callWithFallback(
    writable.filter((plan) => plan.existing !== undefined),
    async (some) => {
      await writer.call(
        'write',
        some.flatMap((plan) => [[plan.existing?.id ?? 0], plan.values]),
      );
      return some.map((plan) => plan.existing?.id ?? 0);
    },
  );
  for (const { item, error } of [...created.refused, ...updated.refused]) writer.refuse(item.record, error);

  const after: { record: TargetRecord; id: number; buttons: string[] }[] = [];
  const unreachable = new Set<string>();
  for (const [plan, id] of [...created.done, ...updated.done]) {
    if (plan.state === undefined || isStartState(model.name, plan.state)) continue;
    const buttons = transitions(model.name, plan.existing?.state, plan.state);
    if (buttons === undefined) {
      unreachable.add(plan.record.key);
      writer.refuse(
        plan.record,
        new ConnectorError(
          'CONNECTOR_VALUE_REJECTED',
          `A ${model.name} in state "${plan.existing?.state ?? ''}" cannot be moved to state "${plan.state}" through its buttons`,
          { field: 'state' },
        ),
      );
    } else if (buttons.length > 0) after.push({ record: plan.record, id, buttons });
  }
  const failedAfter = await writer.transition(after);
  for (const key of unreachable) failedAfter.add(key);
  for (const [plan, id] of created.done)
    if (!failedAfter.has(plan.record.key))
      writer.outcomes.push({ key: plan.record.key, status: 'created', id });
  for (const [plan, id] of updated.done)
    if (!failedAfter.has(plan.record.key))
      writer.outcomes.push({ key: plan.record.key, status: 'updated', id });
  const written = writer.outcomes.filter((outcome) =>
    ['created', 'updated', 'deleted'].includes(outcome.status),
  ).length;
  return { written, outcomes: writer.outcomes };
}

async function deleteRecords(
  writer: ChunkWriter,
  deletes: readonly TargetRecord[],
  found: ReadonlyMap<string, { id: number; state: string | undefined }>,
): Promise<void> {
  const { target, model } = writer;
  const policy = target.onDelete;
  const present: { record: TargetRecord; id: number; state: string | undefined }[] = [];
  for (const record of deletes) {
    const existing = found.get(keyText(model, target.key, record.values[target.key] ?? record.key));
    if (policy.mode === 'ignore') writer.outcomes.push({ key: record.key, status: 'unchanged' });
    else if (existing === undefined) writer.outcomes.push({ key: record.key, status: 'not-found' });
    else present.push({ record, ...existing });
  }
  if (present.length === 0 || policy.mode === 'ignore') return;
  let deletable = present;
  if (policy.mode === 'soft') {
    // `active` is Tryton's archive flag: false hides the record, so a soft delete clears it.
    const value = policy.column !== ARCHIVE_FIELD;
    const result = await callWithFallback(present, async (some) => {
      await writer.call('write', [some.map((item) => item.id), { [policy.column]: value }]);
      return some.map(() => null);
    });
    for (const { item, error } of result.refused) writer.refuse(item.record, error);
    for (const [item] of result.done) writer.outcomes.push({ key: item.record.key, status: 'deleted' });
    return;
  }
  const cancel = cancelButton(model.name);
  if (cancel !== undefined) {
    const toCancel = present.filter((item) => item.state !== cancel.state);
    const cancelled = await writer.button(cancel.button, toCancel);
    deletable = present.filter((item) => item.state === cancel.state || cancelled.includes(item));
  }
  const result = await callWithFallback(deletable, async (some) => {
    await writer.call('delete', [some.map((item) => item.id)]);
    return some.map(() => null);
  });
  for (const { item, error } of result.refused) writer.refuse(item.record, error);
  for (const [item] of result.done) writer.outcomes.push({ key: item.record.key, status: 'deleted' });
}
