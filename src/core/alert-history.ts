/** How an alert stands: still firing, or resolved. */
export type AlertHistoryStatus = 'firing' | 'resolved';

/**
 * One episode of an alert (a rule on a flow): from when it started firing to when it resolved.
 * Kept in the state store, so the dashboard shows firing and resolved alerts after a restart too.
 */
export interface AlertEpisodeInput {
  readonly rule: string;
  readonly flow: string;
  /** `info`, `warning` or `critical` (kept as text here). */
  readonly severity: string;
  readonly status: AlertHistoryStatus;
  /** When it started firing; ISO 8601, UTC. With rule and flow, it names the episode. */
  readonly startsAt: string;
  /** When it resolved; ISO 8601, UTC; absent while it fires. */
  readonly endsAt?: string;
  /** The notice's one-line summary, secrets masked. */
  readonly summary: string;
}

export interface AlertEpisode extends AlertEpisodeInput {
  /** Rises with each new episode: lists are newest first. */
  readonly id: number;
  /** When it was last recorded (a repeat or the resolution); ISO 8601, UTC. */
  readonly updatedAt: string;
}

/** The alert history (part of the StateStore). */
export interface AlertHistoryStore {
  /**
   * Records an episode: a new one, or the same rule, flow and `startsAt` again (a repeat, or its
   * resolution), updated in place.
   */
  recordAlert(episode: AlertEpisodeInput): Promise<void>;
  /** Newest first, paged by id. */
  listAlerts(filter: {
    readonly status?: AlertHistoryStatus;
    readonly flow?: string;
    /** Most entries returned; a whole number. */
    readonly limit: number;
    /** Only entries with a smaller id (older); absent for the first page. */
    readonly beforeId?: number;
  }): Promise<AlertEpisode[]>;
  /** How many episodes match, counted in the store. */
  countAlerts(filter: {
    readonly status?: AlertHistoryStatus;
    readonly severity?: string;
    readonly flow?: string;
  }): Promise<number>;
}
