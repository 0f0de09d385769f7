import type { Logger } from '../../core/logger.js';
import type { EngineContext } from '../runtime.js';

/**
 * The engine contexts a runtime has run, and the cycles each still runs. A context replaced by
 * `reconfigure` is retired (`EngineContext.retire`: its replaced connectors close) once none of
 * its cycles runs and whatever else used it has settled.
 */
export class ContextGenerations {
  readonly #cycles = new Map<EngineContext, number>();
  readonly #idle = new Map<EngineContext, (() => void)[]>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** A cycle started with `context`; call the returned function when it ended. */
  enter(context: EngineContext): () => void {
    this.#cycles.set(context, (this.#cycles.get(context) ?? 0) + 1);
    let isLeft = false;
    return () => {
      if (isLeft) return;
      isLeft = true;
      const left = (this.#cycles.get(context) ?? 1) - 1;
      if (left > 0) {
        this.#cycles.set(context, left);
        return;
      }
      this.#cycles.delete(context);
      const waiting = this.#idle.get(context) ?? [];
      this.#idle.delete(context);
      for (const resolve of waiting) resolve();
    };
  }

  /** Resolves once no cycle started with `context` runs. */
  whenIdle(context: EngineContext): Promise<void> {
    if (!this.#cycles.has(context)) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle.set(context, [...(this.#idle.get(context) ?? []), resolve]);
    });
  }

  /**
   * Retires `context` once `users` (its loops) settled and none of its cycles runs; resolves when
   * it was retired. A failing `retire` is logged, never thrown.
   */
  async retire(context: EngineContext, users: readonly Promise<unknown>[]): Promise<void> {
    await Promise.allSettled(users);
    await this.whenIdle(context);
    try {
      await context.retire?.();
    } catch (error) {
      this.#logger.warn(
        `closing the connectors of the previous config failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
