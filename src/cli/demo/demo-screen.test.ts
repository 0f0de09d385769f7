import { describe, expect, it } from 'vitest';
import { DemoScreen, fitToWidth } from './demo-screen.js';

function fakeStream(isTTY: boolean, columns = 80): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = {
    isTTY,
    columns,
    write: (chunk: string) => {
      written.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

describe('fitToWidth', () => {
  it('keeps lines that fit and cuts longer ones with an ellipsis', () => {
    expect(fitToWidth('orders 5,000', 20)).toBe('orders 5,000');
    expect(fitToWidth('abcdefghij', 5)).toBe('abcd…');
  });

  it('counts Chinese characters as two columns', () => {
    expect(fitToWidth('上海华联超市有限公司', 20)).toBe('上海华联超市有限公司');
    expect(fitToWidth('上海华联超市有限公司', 9)).toBe('上海华联…');
  });
});

describe('DemoScreen', () => {
  it('redraws the live block in place on a TTY, with captured log lines below it', () => {
    const { stream, written } = fakeStream(true);
    const screen = new DemoScreen(stream);
    screen.show(['one', 'two']);
    screen.logStream.write('12:00:00 WARN  record 17 dead-lettered\n');
    screen.show(['three']);
    expect(written[0]).toBe('one\ntwo\n');
    expect(written[1]).toBe(
      '\x1b[2F\x1b[Jthree\n\nLog (1 warning, latest last):\n  12:00:00 WARN  record 17 dead-lettered\n',
    );
    expect(screen.capturedEvents().latest).toEqual(['12:00:00 WARN  record 17 dead-lettered']);
  });

  it('prints every block as plain lines off a TTY and leaves the log on stderr', () => {
    const { stream, written } = fakeStream(false);
    const screen = new DemoScreen(stream);
    screen.show(['one']);
    screen.show(['two']);
    expect(written).toEqual(['one\n\n', 'two\n\n']);
    expect(screen.logStream).toBe(process.stderr);
  });
});
