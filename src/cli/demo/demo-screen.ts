import { Writable } from 'node:stream';

/** How many captured log lines the live block shows on a TTY. */
const EVENT_LINES = 5;
/** How many captured log lines are kept for the final report. */
const KEPT_EVENTS = 200;

/** East Asian wide characters take two terminal columns. */
const WIDE = /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

/** Cuts a line to fit `columns` terminal columns, counting wide characters twice. */
export function fitToWidth(line: string, columns: number): string {
  let width = 0;
  const kept: string[] = [];
  for (const character of line) {
    const size = WIDE.test(character) ? 2 : 1;
    if (width + size > columns) {
      while (kept.length > 0 && width + 1 > columns) width -= WIDE.test(kept.pop() ?? '') ? 2 : 1;
      return `${kept.join('')}…`;
    }
    width += size;
    kept.push(character);
  }
  return line;
}

/**
 * The demo's output. On a TTY the live summary is redrawn in place, with the latest warning
 * lines of the log captured below it (so log lines never break the redraw). Off a TTY every
 * summary is printed as plain lines and the log goes to stderr as usual.
 */
export class DemoScreen {
  /** Where the engine's logger writes. */
  readonly logStream: NodeJS.WritableStream;
  readonly #out: NodeJS.WriteStream;
  readonly #isTty: boolean;
  readonly #events: string[] = [];
  #drawn = 0;
  #eventCount = 0;

  constructor(out: NodeJS.WriteStream = process.stdout) {
    this.#out = out;
    this.#isTty = out.isTTY;
    this.logStream = this.#isTty
      ? new Writable({
          write: (chunk: Buffer | string, _encoding, callback) => {
            for (const line of String(chunk).split('\n')) if (line.trim() !== '') this.#event(line);
            callback();
          },
        })
      : process.stderr;
  }

  /** Whether the summary is redrawn in place. */
  get isTty(): boolean {
    return this.#isTty;
  }

  #event(line: string): void {
    this.#eventCount += 1;
    this.#events.push(line);
    if (this.#events.length > KEPT_EVENTS) this.#events.shift();
  }

  /** Shows the live summary: redrawn over the previous one on a TTY, printed below it otherwise. */
  show(lines: readonly string[]): void {
    if (!this.#isTty) {
      this.#out.write(`${lines.join('\n')}\n\n`);
      return;
    }
    const events =
      this.#events.length === 0
        ? []
        : [
            '',
            `Log (${this.#eventCount} warning${this.#eventCount === 1 ? '' : 's'}, latest last):`,
            ...this.#events.slice(-EVENT_LINES).map((event) => `  ${event}`),
          ];
    this.#redraw([...lines, ...events]);
  }

  #redraw(lines: readonly string[]): void {
    const columns = Math.max(20, (this.#out.columns > 0 ? this.#out.columns : 120) - 1);
    const fitted = lines.map((line) => fitToWidth(line, columns));
    // Up to the first line of the previous block, then clear to the end of the screen.
    const rewind = this.#drawn > 0 ? `\x1b[${this.#drawn}F\x1b[J` : '';
    this.#out.write(`${rewind}${fitted.join('\n')}\n`);
    this.#drawn = fitted.length;
  }

  /** Removes the live block (TTY), so what follows is printed in its place. */
  clear(): void {
    if (this.#isTty && this.#drawn > 0) this.#out.write(`\x1b[${this.#drawn}F\x1b[J`);
    this.#drawn = 0;
  }

  /** Prints text that stays. */
  print(text: string): void {
    this.#out.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** The log lines captured on a TTY (the latest 200), for the final report. */
  capturedEvents(): { readonly total: number; readonly latest: readonly string[] } {
    return { total: this.#eventCount, latest: [...this.#events] };
  }
}
