import type { Logger } from '../core/logger.js';
import type { Runtime } from '../runtime/runtime.js';

/**
 * Ctrl-C / SIGTERM stop the runtime gracefully (the batch in hand is committed); a second one stops
 * it at once. Returns the function that removes the handlers.
 */
export function stopOnSignals(runtime: Pick<Runtime, 'stop' | 'abort'>, logger: Logger): () => void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      logger.info(`${signal}: stopping after the batch in hand is committed (send again to stop at once)`);
      void runtime.stop();
    } else {
      logger.warn(`${signal}: stopping at once; unfinished batches are read again next time`);
      runtime.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
