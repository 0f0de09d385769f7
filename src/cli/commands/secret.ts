import { MASTER_KEY_VARIABLE, encryptSecret, parseMasterKey } from '../../config/secret-cipher.js';
import { SyncError } from '../../core/errors.js';
import { ExitCodes } from '../exit-codes.js';

/** Options of `syncline secret encrypt`. */
export interface SecretEncryptOptions {
  /** The value, for scripts; read from stdin when absent (without echo on a terminal). */
  readonly value?: string;
}

/** Where the command reads and writes; the process's streams and environment by default. */
export interface SecretIo {
  /** Where the value is read: a terminal (raw mode, no echo) or a pipe. */
  readonly stdin: NodeJS.ReadStream;
  /** Where the `enc:v1:…` line goes. */
  readonly stdout: NodeJS.WritableStream;
  /** Where the prompt and warnings go. */
  readonly stderr: NodeJS.WritableStream;
  /** Where SYNCLINE_MASTER_KEY is read. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);

/** Reads one line from a terminal in raw mode, echoing nothing. */
function readHidden(stdin: NodeJS.ReadStream, stderr: NodeJS.WritableStream): Promise<string> {
  stderr.write('Value to encrypt (not shown; Enter ends it): ');
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (error === undefined) resolve(value);
      else reject(error);
    };
    // Characters are kept as code points, so a backspace removes a whole one.
    const typed: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n' || char === CTRL_D) {
          value = typed.join('');
          finish();
          return;
        }
        if (char === CTRL_C) {
          finish(new SyncError('REQUEST_INVALID', 'cancelled; nothing was encrypted'));
          return;
        }
        if (BACKSPACE.has(char)) typed.pop();
        else typed.push(char);
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** Reads everything piped in, without its final line break. */
async function readPiped(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * `syncline secret encrypt [--value V]`: encrypts a value with the key in SYNCLINE_MASTER_KEY
 * (AES-256-GCM) and prints `enc:v1:…` for the config file. The value comes from stdin, unechoed
 * on a terminal; `--value` serves scripts, with a warning about shell history.
 */
export async function secretEncryptCommand(
  options: SecretEncryptOptions,
  io: SecretIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const key = parseMasterKey(io.env[MASTER_KEY_VARIABLE]);
  if (!key.ok) throw new SyncError('REQUEST_INVALID', key.reason);
  let value: string;
  if (options.value !== undefined) {
    io.stderr.write(
      'warning: a value given with --value may be kept in your shell history and seen in the process list; pipe it on stdin instead\n',
    );
    value = options.value;
  } else value = io.stdin.isTTY ? await readHidden(io.stdin, io.stderr) : await readPiped(io.stdin);
  if (value === '') throw new SyncError('REQUEST_INVALID', 'nothing to encrypt: the value is empty');
  io.stdout.write(`${encryptSecret(value, key.value)}\n`);
  return ExitCodes.ok;
}
