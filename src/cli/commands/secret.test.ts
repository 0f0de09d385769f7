import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decryptSecret } from '../../config/secret-cipher.js';
import { secretEncryptCommand, type SecretIo } from './secret.js';

const key = randomBytes(32);

/** A terminal on stdin: raw mode is recorded, typed keys are pushed as data. */
function fakeTerminal(): {
  io: SecretIo;
  rawModes: boolean[];
  type: (keys: string) => void;
  out: () => string;
  err: () => string;
} {
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream & PassThrough;
  const rawModes: boolean[] = [];
  Object.assign(stdin, {
    isTTY: true,
    setRawMode: (mode: boolean) => {
      rawModes.push(mode);
      return stdin;
    },
  });
  let out = '';
  let err = '';
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return {
    io: { stdin, stdout, stderr, env: { SYNCLINE_MASTER_KEY: key.toString('hex') } },
    rawModes,
    type: (keys) => stdin.write(keys),
    out: () => out,
    err: () => err,
  };
}

describe('syncline secret encrypt on a terminal', () => {
  it('reads the value in raw mode without echoing it, honouring backspace', async () => {
    const terminal = fakeTerminal();
    const running = secretEncryptCommand({}, terminal.io);
    await new Promise((resolve) => setImmediate(resolve));
    terminal.type('pa55w0');
    terminal.type('x\u007frd-密\r');
    expect(await running).toBe(0);
    expect(terminal.rawModes).toEqual([true, false]);
    const printed = terminal.out().trim();
    const decrypted = decryptSecret(printed, key);
    expect(decrypted).toEqual({ ok: true, value: 'pa55w0rd-密' });
    expect(terminal.err()).not.toContain('pa55');
    expect(terminal.out()).not.toContain('pa55');
  });

  it('stops without printing anything on Ctrl-C', async () => {
    const terminal = fakeTerminal();
    const running = secretEncryptCommand({}, terminal.io);
    await new Promise((resolve) => setImmediate(resolve));
    terminal.type('secret\u0003');
    await expect(running).rejects.toMatchObject({ code: 'REQUEST_INVALID' });
    expect(terminal.out()).toBe('');
    expect(terminal.rawModes).toEqual([true, false]);
  });
});
