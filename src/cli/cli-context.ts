import { createConsoleLogger } from './console-logger.js';
import { openEngine, type Engine } from './engine.js';
import { rememberSecrets } from './output-redaction.js';
import type { Logger } from '../core/logger.js';

/** Options every command shares. */
export interface GlobalOptions {
  /** Path of syncline.yaml. */
  readonly config: string;
  readonly logFormat: 'text' | 'json';
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Opens the engine with a logger that redacts the config's secrets. */
export async function openCliEngine(options: GlobalOptions): Promise<{ engine: Engine; logger: Logger }> {
  const engine = await openEngine(options.config, (secrets) =>
    createConsoleLogger({ format: options.logFormat, level: options.logLevel, secrets }),
  );
  rememberSecrets(engine.secrets);
  return { engine, logger: engine.logger };
}
