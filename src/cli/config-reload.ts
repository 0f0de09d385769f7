import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { currentActor } from '../core/audit.js';
import { toSyncError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { OperationsContext } from '../operations/operations-context.js';
import { reloadConfig, type ReloadResult } from '../operations/reload-config.js';

/** How long a burst of file events (an editor writes, renames, touches) is waited out, ms. */
const DEBOUNCE_MS = 300;

/** Logs a reload's result: what changed, or why the new config was refused. */
export function logReload(logger: Logger, result: ReloadResult): void {
  if (result.status === 'refused') {
    const problems = result.issues.map(
      (issue) => `\n  ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`,
    );
    logger.error(`config not reloaded, the config in use keeps running:${problems.join('')}`);
  } else if (result.status === 'unchanged') logger.info('config reloaded: nothing changed that runs');
  else for (const change of result.changes) logger.info(`config reloaded: ${change}`);
}

/**
 * While `run` runs: reads the config again when its file changes (debounced) or on SIGHUP, and
 * applies it between cycles through `reloadConfig`. Reloads never overlap; a change during one
 * leads to one more. Returns the function that stops watching.
 */
export function watchConfig(
  configPath: string,
  operations: () => OperationsContext,
  logger: Logger,
  options: { readonly debounceMs?: number } = {},
): () => Promise<void> {
  const file = resolve(configPath);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again: string | undefined;

  const reload = async (why: string): Promise<void> => {
    logger.info(`${why}: reading ${configPath} again`);
    try {
      logReload(logger, await reloadConfig(operations(), { actor: currentActor() }));
    } catch (error) {
      logger.error(`config not reloaded: ${toSyncError(error).message}`);
    }
  };
  const request = (why: string): void => {
    if (running !== undefined) {
      again = why;
      return;
    }
    running = reload(why).finally(() => {
      running = undefined;
      const next = again;
      again = undefined;
      if (next !== undefined) request(next);
    });
  };
  const onFileEvent = (_event: string, name: string | Buffer | null): void => {
    // The directory is watched, as editors replace the file (a new inode) rather than write it.
    if (name !== null && name.toString() !== basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      request(`${configPath} changed`);
    }, options.debounceMs ?? DEBOUNCE_MS);
  };
  const onHangup = (): void => {
    request('SIGHUP');
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, onFileEvent);
    watcher.on('error', (error) => {
      logger.warn(`stopped watching ${configPath} (${error.message}); SIGHUP still reloads it`);
    });
  } catch (error) {
    logger.warn(`cannot watch ${configPath} (${toSyncError(error).message}); SIGHUP reloads it`);
  }
  process.on('SIGHUP', onHangup);
  return async () => {
    watcher?.close();
    clearTimeout(timer);
    process.off('SIGHUP', onHangup);
    await running;
  };
}
