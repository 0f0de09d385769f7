import { describe, expect, it } from 'vitest';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { RuntimeEvent } from './runtime.js';
import { RuntimeEvents } from './runtime-events.js';

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return {
    ...silentLogger,
    error: (message) => errors.push(message),
    child: () => recordingLogger(),
    errors,
  };
}

describe('RuntimeEvents', () => {
  it('tells every subscriber each event, stamped with the clock', () => {
    const events = new RuntimeEvents(silentLogger, () => 42);
    const first: RuntimeEvent[] = [];
    const second: RuntimeEvent[] = [];
    events.subscribe((event) => first.push(event));
    events.subscribe((event) => second.push(event));
    events.emit({ type: 'flow.resumed', flow: 'stock', by: 'ops' });
    expect(first).toEqual([{ type: 'flow.resumed', flow: 'stock', by: 'ops', at: 42 }]);
    expect(second).toEqual(first);
  });

  it('keeps an event its own time', () => {
    const events = new RuntimeEvents(silentLogger, () => 42);
    const told: RuntimeEvent[] = [];
    events.subscribe((event) => told.push(event));
    events.emit({ type: 'flow.scheduled', flow: 'stock', dueAt: 100, reason: 'every 1m', at: 7 });
    expect(told[0]?.at).toBe(7);
  });

  it('stops telling a subscriber once it unsubscribed, and only that one', () => {
    const events = new RuntimeEvents(silentLogger);
    const kept: RuntimeEvent[] = [];
    const dropped: RuntimeEvent[] = [];
    events.subscribe((event) => kept.push(event));
    const unsubscribe = events.subscribe((event) => dropped.push(event));
    unsubscribe();
    unsubscribe();
    events.emit({ type: 'flow.resumed', flow: 'stock', by: 'ops' });
    expect(kept).toHaveLength(1);
    expect(dropped).toEqual([]);
    expect(events.hasSubscribers).toBe(true);
  });

  it('logs a throwing subscriber and still tells the others', () => {
    const logger = recordingLogger();
    const events = new RuntimeEvents(logger);
    const told: RuntimeEvent[] = [];
    events.subscribe(() => {
      throw new Error('dashboard down');
    });
    events.subscribe((event) => told.push(event));
    expect(() => {
      events.emit({ type: 'flow.resumed', flow: 'stock', by: 'ops' });
    }).not.toThrow();
    expect(told).toHaveLength(1);
    expect(logger.errors).toEqual(['a runtime event subscriber failed on flow.resumed: dashboard down']);
  });
});
