/** A counting semaphore: at most `size` cycles of different flows run at once. */
export class CycleSlots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  /** Runs `work` once a slot is free, and frees the slot when it ends. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    while (this.#free === 0) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#free -= 1;
    try {
      return await work();
    } finally {
      this.#free += 1;
      this.#waiting.shift()?.();
    }
  }
}
