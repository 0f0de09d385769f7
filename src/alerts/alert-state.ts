import { createHash } from 'node:crypto';
import type { StateStore } from '../core/state-store.js';

/** An alert that fires, as kept in the flow's meta `alert.<rule>` (null once resolved). */
export interface FiringState {
  /** When it started firing, epoch ms. */
  readonly startsAt: number;
  /** When its last firing notice went out, epoch ms. */
  readonly lastNotifiedAt: number;
}

/** What an evaluation does with one alert. */
export type Transition = 'fire' | 'repeat' | 'resolve' | 'none';

/** The flow meta name of a rule's firing state. */
export function alertMetaName(rule: string): string {
  return `alert.${rule}`;
}

/** Stable id of a rule on a flow (16 hex digits of SHA-256). */
export function alertFingerprint(rule: string, flow: string): string {
  return createHash('sha256').update(`${rule}\n${flow}`).digest('hex').slice(0, 16);
}

/**
 * Alertmanager's semantics: one notice when an alert starts firing, another only once `repeatMs`
 * has passed since the last, one resolved notice when it clears, nothing otherwise.
 */
export function nextTransition(
  previous: FiringState | undefined,
  isActive: boolean,
  now: number,
  repeatMs: number,
): Transition {
  if (previous === undefined) return isActive ? 'fire' : 'none';
  if (!isActive) return 'resolve';
  return now - previous.lastNotifiedAt >= repeatMs ? 'repeat' : 'none';
}

/** The rule's firing state on the flow, if it fires (a malformed entry counts as not firing). */
export async function readFiring(
  state: StateStore,
  flow: string,
  rule: string,
): Promise<FiringState | undefined> {
  const value = await state.getFlowMeta(flow, alertMetaName(rule));
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value))
    return undefined;
  const startsAt = typeof value.startsAt === 'string' ? Date.parse(value.startsAt) : Number.NaN;
  const lastNotifiedAt =
    typeof value.lastNotifiedAt === 'string' ? Date.parse(value.lastNotifiedAt) : Number.NaN;
  if (!Number.isFinite(startsAt) || !Number.isFinite(lastNotifiedAt)) return undefined;
  return { startsAt, lastNotifiedAt };
}

/** Keeps the firing state (or clears it with undefined). */
export async function writeFiring(
  state: StateStore,
  flow: string,
  rule: string,
  firing: FiringState | undefined,
): Promise<void> {
  await state.setFlowMeta(
    flow,
    alertMetaName(rule),
    firing === undefined
      ? null
      : {
          status: 'firing',
          startsAt: new Date(firing.startsAt).toISOString(),
          lastNotifiedAt: new Date(firing.lastNotifiedAt).toISOString(),
        },
  );
}
