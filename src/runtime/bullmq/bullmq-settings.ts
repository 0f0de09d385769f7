import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';

/** Queue of flow cycles. */
export const CYCLE_QUEUE = 'cycles';
/** Queue of partitioned-backfill lanes. */
export const LANE_QUEUE = 'lanes';

/** Where a BullMQ deployment keeps its queues, keys and channels (the config's `runtime:`). */
export interface BullmqSettings {
  /** Redis URL; may carry a password (never logged: see `redactUrl`). */
  readonly redis: string;
  /** Prefix of every key and channel. */
  readonly prefix: string;
  /** Scheduler leadership lease, ms; renewed every third. */
  readonly leaderLeaseMs: number;
  /** A worker's lock on a job, ms: a dead worker's job is retried elsewhere after about this. */
  readonly jobLeaseMs: number;
  /** Cycles writing to a target connection at once across the deployment, by connection name. */
  readonly limits?: Readonly<Record<string, { readonly cycles: number }>>;
  /** Cycles per worker process unless a worker says otherwise. */
  readonly concurrency: number;
}

export const BULLMQ_DEFAULTS = {
  prefix: 'syncline',
  leaderLeaseMs: 15_000,
  jobLeaseMs: 30_000,
  concurrency: 4,
} as const;

/** How long a worker's heartbeat stays visible after its last beat. */
export const WORKER_HEARTBEAT_TTL_MS = 15_000;
/** How often a worker beats. */
export const WORKER_HEARTBEAT_MS = 5_000;

/** The Redis names of one deployment. */
export function redisNames(settings: Pick<BullmqSettings, 'prefix'>) {
  const { prefix } = settings;
  return {
    /** The leading scheduler: its identity, with a lease. */
    leader: `${prefix}:leader`,
    /** A worker's heartbeat key. */
    worker: (id: string) => `${prefix}:workers:${id}`,
    workerPattern: `${prefix}:workers:*`,
    /** The leader's flow snapshots, refreshed every second. */
    snapshot: `${prefix}:snapshot`,
    /** Runtime events of the leader, for every `serve` and follower. */
    events: `${prefix}:events`,
    /** Commands to the leader (trigger, wake, refresh). */
    commands: `${prefix}:commands`,
    /** Stop / abort of running jobs, for the workers. */
    control: `${prefix}:control`,
    /** The slots of a target connection under `runtime.limits`. */
    slots: (connection: string) => `${prefix}:slots:${connection}`,
    /** Where one process hears about the jobs it queued (and answers to its commands). */
    reports: (id: string) => `${prefix}:reports:${id}`,
  };
}

/** An id of one process's role: `host:pid:random`, readable in status. */
export function processId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 6)}`;
}
