import type { Engine } from './engine.js';
import { LocalRuntime, type LocalRuntimeOptions } from '../runtime/local/local-runtime.js';
import type { Runtime } from '../runtime/runtime.js';

/** The runtime `run`, `serve` and `demo` drive: flows in this process (the embedded default). */
export function createRuntime(engine: Engine, options: LocalRuntimeOptions = {}): Runtime {
  return new LocalRuntime(engine.context, options);
}
