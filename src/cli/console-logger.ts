import { redactText } from '../config/secret.js';
import type { LogFields, Logger } from '../core/logger.js';

/** Where log lines go and how they look. */
export interface ConsoleLoggerOptions {
  /** `text`: readable lines; `json`: one JSON object per line (for log shippers). */
  readonly format: 'text' | 'json';
  /** Lowest level printed. */
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  /** Values removed from every line (passwords from the config). */
  readonly secrets: readonly string[];
  readonly stream?: NodeJS.WritableStream;
}

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s|"/.test(value) ? JSON.stringify(value) : value;
  const json = JSON.stringify(value) as string | undefined;
  return json ?? String(value);
}

/** A logger for the CLI: text for people, JSON for machines, secrets always redacted. */
export function createConsoleLogger(options: ConsoleLoggerOptions, bound: LogFields = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const write = (level: keyof typeof LEVELS, message: string, fields: LogFields = {}): void => {
    if (LEVELS[level] < LEVELS[options.level]) return;
    const all = { ...bound, ...fields };
    let line: string;
    if (options.format === 'json') {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...all });
    } else {
      const context = Object.entries(all)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${formatValue(value)}`)
        .join(' ');
      const time = new Date().toISOString().slice(11, 19);
      line = `${time} ${level.toUpperCase().padEnd(5)} ${message}${context === '' ? '' : `  ${context}`}`;
    }
    stream.write(`${redactText(line, options.secrets)}\n`);
  };
  return {
    debug: (message, fields) => {
      write('debug', message, fields);
    },
    info: (message, fields) => {
      write('info', message, fields);
    },
    warn: (message, fields) => {
      write('warn', message, fields);
    },
    error: (message, fields) => {
      write('error', message, fields);
    },
    child: (fields) => createConsoleLogger(options, { ...bound, ...fields }),
  };
}
