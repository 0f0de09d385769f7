// The shapes of /api/v1 responses the dashboard reads (docs/api.md; the OpenAPI document at
// /api/v1/openapi.json). The dashboard talks to the API over HTTP only, so these are its own.

export type Role = 'viewer' | 'operator' | 'admin';

export interface Session {
  readonly name: string;
  readonly role: Role;
  readonly serverTimeZone: string;
}

export interface RunTotals {
  readonly cycles: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly read: number;
  readonly written: number;
  readonly quarantined: number;
  readonly refused: number;
}

export interface FlowTile {
  readonly flow: string;
  readonly enabled: boolean;
  readonly tier: 'realtime' | 'minutes' | 'hourly' | 'daily';
  readonly cadenceText: string;
  readonly objectiveMs: number | null;
  readonly isObjectiveConfigured: boolean;
  readonly lastSuccessAt: string | null;
  readonly lastRunStatus: string | null;
  readonly today: RunTotals;
  readonly openDeadLetters: number;
  readonly openConflicts: number;
  readonly configuredIntervalMs: number | null;
  readonly effectiveIntervalMs: number | null;
  readonly cadenceReason: string | null;
  readonly pausedBy: string | null;
  readonly targetConnection: string;
}

export interface SeriesPoint {
  readonly at: string;
  readonly cycles: number;
  readonly failedCycles: number;
  readonly read: number;
  readonly written: number;
  readonly quarantined: number;
  readonly refused: number;
  readonly lastSuccessAt: string | null;
}

export interface RunSeries {
  readonly since: string;
  readonly bucketMs: number;
  readonly flows: readonly { readonly flow: string; readonly points: readonly SeriesPoint[] }[];
}

export interface Overview {
  readonly timeZone: string;
  readonly todayStartsAt: string;
  readonly flows: readonly FlowTile[];
  readonly totals: { readonly today: RunTotals; readonly yesterdaySameTime: RunTotals };
  readonly alertsFiring: { readonly critical: number; readonly warning: number; readonly info: number };
  readonly targets: readonly {
    readonly connection: string;
    readonly flows: readonly string[];
    readonly backedOff: readonly { readonly flow: string; readonly reason: string }[];
    readonly failing: readonly string[];
  }[];
  readonly series: RunSeries;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextBefore?: number;
  readonly total?: number;
}

export interface RunRecord {
  readonly id: number;
  readonly trigger: string;
  readonly status: string;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly counts: {
    readonly read: number;
    readonly written: number;
    readonly quarantined: number;
    readonly failed: number;
  };
}

export interface DailyWindow {
  readonly text: string;
  readonly startMinute: number;
  readonly endMinute: number;
}

export interface FlowStatus {
  readonly flow: string;
  readonly enabled: boolean;
  readonly cadence: {
    readonly everyMs?: number;
    readonly timezone?: string;
    readonly window?: DailyWindow;
    readonly peaks?: readonly {
      readonly name: string;
      readonly everyMs: number;
      readonly between?: DailyWindow;
      readonly days?: readonly string[];
      readonly monthDays?: readonly number[];
    }[];
  };
  readonly direction: 'one-way' | 'both';
  readonly activity?: string;
  readonly paused?: { readonly by: string; readonly at: string; readonly reason?: string };
  readonly lastRun?: RunRecord;
  readonly lastSuccessAt?: string;
  readonly nextRunAt?: string;
  readonly nextRunReason: string;
  readonly openDeadLetters: number;
  readonly openConflicts: number;
}

export interface Decision {
  readonly at: string;
  readonly intervalMsBefore: number;
  readonly intervalMs: number;
  readonly batchBefore: number;
  readonly batch: number;
  readonly reason: string;
  readonly health: string;
}

export interface DeadLetter {
  readonly id: number;
  readonly key: string;
  readonly field?: string;
  readonly kind: string;
  readonly code: string;
  readonly reason: string;
  readonly occurrences: number;
  readonly updatedAt: string;
}

export interface Conflict {
  readonly id: number;
  readonly key: string;
  readonly fields: readonly string[];
  readonly source: Readonly<Record<string, unknown>>;
  readonly target: Readonly<Record<string, unknown>>;
  readonly reason: string;
  readonly detectedAt: string;
}

export interface Reconciliation {
  readonly id: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: string;
  readonly status: string;
  readonly missing: number;
  readonly extra: number;
  readonly different: number;
  readonly repaired: number;
}

export interface ReconcileJob {
  readonly running: boolean;
  readonly startedAt: string;
  readonly report?: {
    readonly differences: readonly {
      readonly key: string;
      readonly kind: string;
      readonly fields?: readonly string[];
      readonly note?: string;
      readonly source?: Readonly<Record<string, unknown>>;
      readonly target?: Readonly<Record<string, unknown>>;
    }[];
  };
  readonly error?: { readonly message: string };
}

export interface AlertEpisode {
  readonly id: number;
  readonly rule: string;
  readonly flow: string;
  readonly severity: string;
  readonly status: 'firing' | 'resolved';
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly summary: string;
}

export interface AuditEntry {
  readonly id: number;
  readonly actor: string;
  readonly action: string;
  readonly flow?: string;
  readonly subject?: string;
  readonly at: string;
  readonly result: string;
  readonly outcome?: string;
}

/** Jobs of one queue by state (`GET /api/v1/cluster`; mirrors `QueueDepth` of src/runtime/runtime.ts). */
export interface QueueDepth {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
  readonly completed: number;
}

/** A worker process, from its heartbeat (mirrors `ClusterWorker`). */
export interface ClusterWorker {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly running: readonly string[];
  readonly jobsDone: number;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  readonly state: 'running' | 'draining';
}

/** `GET /api/v1/cluster`: a BullMQ deployment, or `{ runtime: 'local' }` (mirrors `ClusterStatus`). */
export type ClusterStatus =
  | {
      readonly runtime: 'bullmq';
      readonly prefix: string;
      readonly leader?: {
        readonly id: string;
        readonly host: string;
        readonly pid: number;
        readonly since: string;
      };
      readonly workers: readonly ClusterWorker[];
      readonly queues: Readonly<Record<string, QueueDepth>>;
    }
  | { readonly runtime: 'local' };
