import type { ClusterSnapshot, Runtime } from '../runtime/runtime.js';

/** What a process that runs flows in itself answers: there is no cluster. */
export interface LocalClusterStatus {
  readonly runtime: 'local';
}

/** The cluster of a scaled-out deployment (leader, workers, queues), or `{ runtime: 'local' }`. */
export type ClusterStatus = ClusterSnapshot | LocalClusterStatus;

/** Where the cluster is read from: the runtime of this process, or a reader where none runs. */
export interface ClusterSource {
  /** The runtime running flows in this process (`serve`, `run`): a scaled-out one reads its cluster. */
  readonly runtime?: Pick<Runtime, 'cluster'>;
  /** Reads the deployment's cluster from Redis where no runtime runs (`syncline status`). */
  readonly readCluster?: () => Promise<ClusterSnapshot>;
}

/**
 * Who runs a scaled-out deployment now: the leading scheduler, each worker from its heartbeat,
 * the jobs of each queue by state. `{ runtime: 'local' }` when flows run in one process. Fails with
 * `RUNTIME_UNAVAILABLE` when Redis cannot be read.
 */
export async function clusterStatus(source: ClusterSource): Promise<ClusterStatus> {
  const { runtime } = source;
  if (runtime?.cluster !== undefined) return runtime.cluster();
  if (source.readCluster !== undefined) return source.readCluster();
  return { runtime: 'local' };
}
