import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../api/types';
import { ClusterView } from './cluster-panel';

const NOW = Date.parse('2026-12-03T09:00:10Z');

const CLUSTER: ClusterStatus = {
  runtime: 'bullmq',
  prefix: 'syncline',
  leader: { id: 'sched-a:4121:9f2c1e', host: 'sched-a', pid: 4121, since: '2026-12-03T07:00:02Z' },
  workers: [
    {
      id: 'work-1:977:41ab0c',
      host: 'work-1',
      pid: 977,
      concurrency: 4,
      running: ['customers'],
      jobsDone: 1284,
      startedAt: '2026-12-03T06:58:40Z',
      heartbeatAt: '2026-12-03T09:00:07Z',
      state: 'running',
    },
    {
      id: 'work-2:981:e07d55',
      host: 'work-2',
      pid: 981,
      concurrency: 2,
      running: [],
      jobsDone: 3,
      startedAt: '2026-12-03T06:58:40Z',
      heartbeatAt: '2026-12-03T09:00:05Z',
      state: 'draining',
    },
  ],
  queues: {
    cycles: { waiting: 7, active: 1, delayed: 0, failed: 2, completed: 212 },
    lanes: { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 },
  },
};

function render(cluster: ClusterStatus): string {
  return renderToStaticMarkup(createElement(ClusterView, { cluster, now: NOW }));
}

describe('the Cluster panel', () => {
  it('shows the leading scheduler, each worker with its heartbeat age and the queue depths', () => {
    const html = render(CLUSTER);
    expect(html).toContain('data-panel="cluster"');
    expect(html).toContain('leading scheduler sched-a:4121:9f2c1e');
    expect(html).toContain('work-1 · 977');
    expect(html).toContain('customers');
    expect(html).toContain('1,284');
    expect(html).toContain('3 sec ago');
    expect(html).toContain('work-2 · 981 (draining)');
    expect(html).toContain('<strong>cycles</strong> 7 waiting · 1 active · 0 delayed · 2 failed');
    expect(html).toContain('<strong>lanes</strong> 0 waiting');
  });

  it('says when no scheduler leads and no worker runs', () => {
    const html = render({ runtime: 'bullmq', prefix: 'syncline', workers: [], queues: {} });
    expect(html).toContain('no scheduler leads');
    expect(html).toContain('no worker runs');
  });

  it('shows nothing when flows run in the serving process', () => {
    expect(render({ runtime: 'local' })).toBe('');
  });
});
