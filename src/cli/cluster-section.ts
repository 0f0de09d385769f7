import { formatDuration } from '../config/duration.js';
import type { SyncErrorJson } from '../core/errors.js';
import type { ClusterStatus } from '../operations/cluster-status.js';
import { formatTextTable } from './text-table.js';

/** The cluster of `status`: what was read, or why it could not be (Redis down, password masked). */
export type ClusterSection =
  ClusterStatus | { readonly runtime: 'bullmq'; readonly error: Pick<SyncErrorJson, 'code' | 'message'> };

/** `3s ago`; `just now` under a second; the text as it is when it is no time. */
function ageOf(iso: string, now: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const ms = now - at;
  return ms < 1_000 ? 'just now' : `${formatDuration(ms)} ago`;
}

/**
 * The `cluster` section of `syncline status` on a BullMQ config: the leading scheduler, a table
 * of workers (with the age of their last heartbeat at `now`, epoch ms) and one of queue depths.
 * Empty for the local runtime.
 */
export function formatClusterSection(cluster: ClusterSection, now: number = Date.now()): string {
  if (cluster.runtime === 'local') return '';
  if ('error' in cluster)
    return `\ncluster: could not be read (${cluster.error.code}): ${cluster.error.message}\n`;
  const { leader } = cluster;
  const lines = [
    '',
    `cluster (bullmq, prefix ${cluster.prefix})`,
    leader === undefined
      ? '  leader: none (no scheduler runs, or a takeover is under way)'
      : `  leader: ${leader.id} (host ${leader.host}, pid ${String(leader.pid)}, since ${leader.since})`,
  ];
  if (cluster.workers.length === 0) lines.push('  workers: none (start one with syncline worker)');
  else {
    const rows = cluster.workers.map((worker) => [
      worker.id,
      worker.host,
      String(worker.pid),
      String(worker.concurrency),
      worker.running.length === 0 ? '-' : worker.running.join(', '),
      String(worker.jobsDone),
      ageOf(worker.heartbeatAt, now),
      worker.state,
    ]);
    const header = ['worker', 'host', 'pid', 'concurrency', 'running', 'jobs done', 'heartbeat', 'state'];
    lines.push(indent(formatTextTable(header, rows)));
  }
  const queues = Object.entries(cluster.queues).map(([name, depth]) => [
    name,
    String(depth.waiting),
    String(depth.active),
    String(depth.delayed),
    String(depth.failed),
  ]);
  lines.push(indent(formatTextTable(['queue', 'waiting', 'active', 'delayed', 'failed'], queues)));
  return `${lines.join('\n')}\n`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
