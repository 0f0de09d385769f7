import { inspect } from 'node:util';
import { z } from 'zod';

const REDACTED = '[redacted]';

/**
 * A value that must never reach a log, the API or the dashboard (DESIGN invariant 7).
 * It prints as `[redacted]` everywhere; only `reveal()` hands out the value, at the point of use.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret value itself; call only where it is handed to a driver. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Masks the password of every connection URL in a text (`postgres://u:pw@h/db` → `postgres://u:***@h/db`). */
export function redactUrl(url: string): string {
  return url.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}

/** Replaces every occurrence of the given secret values in a message (driver errors may echo them). */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join(REDACTED);
  }
  return redactUrl(out);
}

/**
 * A secret-bearing config value (a URL with a password, a header with a token): YAML text, or a
 * Secret already, compiled to a Secret. Connector schemas use it for every such value, so the
 * logger's redaction list is built from the parsed values (see `secretValues`), never guessed.
 */
export const secretString = z
  .union([z.string(), z.instanceof(Secret)])
  .transform((value) => (value instanceof Secret ? value : new Secret(value)));

const URL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/i;

/**
 * Every secret value in a parsed config value (a connection's parsed entry): each `Secret` found
 * by walking it, and the password part of a secret URL (raw and percent-decoded), because drivers
 * echo either. Loggers redact these wherever they appear.
 */
export function secretValues(parsed: unknown): string[] {
  const found: string[] = [];
  const visit = (value: unknown): void => {
    if (value instanceof Secret) {
      const text = value.reveal();
      found.push(text);
      const password = URL_PASSWORD.exec(text)?.[1];
      if (password !== undefined) found.push(password, safeDecode(password));
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value !== null && typeof value === 'object') {
      for (const child of Object.values(value)) visit(child);
    }
  };
  visit(parsed);
  return [...new Set(found)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
