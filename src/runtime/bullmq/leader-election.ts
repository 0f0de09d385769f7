import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

/** Who leads, as stored in the leader key. */
export interface LeaderInfo {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** When this leadership began, ISO 8601. */
  readonly since: string;
}

// Renews the holder's lease; takes the key back when it is gone (Redis restarted and lost it, and
// nobody else took it meanwhile); 0 when another scheduler holds it.
const RENEW = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
elseif not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RESIGN = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * Leadership among schedulers: one Redis key set with NX and a time to live, renewed by its holder
 * every third of it. A scheduler that dies stops renewing and another takes over within the lease;
 * one cut off from Redis longer than the lease steps down, since another may lead by then.
 */
export class LeaderElection {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #leaseMs: number;
  #info: LeaderInfo;
  #value: string;

  constructor(redis: Redis, key: string, id: string, leaseMs: number) {
    this.#redis = redis;
    this.#key = key;
    this.#leaseMs = leaseMs;
    this.#info = { id, host: hostname(), pid: process.pid, since: new Date().toISOString() };
    this.#value = JSON.stringify(this.#info);
  }

  /** This candidate as the leader key shows it; `since` is when its last won campaign began its lead. */
  get info(): LeaderInfo {
    return this.#info;
  }

  /** Takes leadership if nobody holds it; true when this scheduler leads now. */
  async campaign(): Promise<boolean> {
    // `since` is when this leadership begins, not when the candidate started campaigning.
    const info: LeaderInfo = { ...this.#info, since: new Date().toISOString() };
    const value = JSON.stringify(info);
    const reply = await this.#redis.set(this.#key, value, 'PX', this.#leaseMs, 'NX');
    if (reply !== 'OK') return false;
    this.#info = info;
    this.#value = value;
    return true;
  }

  /** Renews the lease; false when another scheduler leads. */
  async renew(): Promise<boolean> {
    const reply = await this.#redis.eval(RENEW, 1, this.#key, this.#value, String(this.#leaseMs));
    return reply === 1;
  }

  /** Gives leadership up at once (a graceful stop), if held. */
  async resign(): Promise<void> {
    await this.#redis.eval(RESIGN, 1, this.#key, this.#value);
  }
}

/** The leader now, if any. */
export async function readLeader(redis: Redis, key: string): Promise<LeaderInfo | undefined> {
  const value = await redis.get(key);
  if (value === null) return undefined;
  try {
    return JSON.parse(value) as LeaderInfo;
  } catch {
    return undefined;
  }
}
