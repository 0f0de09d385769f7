import { redactText } from '../config/secret.js';

/** The secrets of the config this process opened, so a message printed outside a logger hides them too. */
let knownSecrets: readonly string[] = [];

/** Remembers the opened config's secret values (the engine's list; it grows on a reload). */
export function rememberSecrets(secrets: readonly string[]): void {
  knownSecrets = secrets;
}

/** A message with every known secret and every URL password masked, for stderr. */
export function redactForOutput(text: string): string {
  return redactText(text, knownSecrets);
}
