/**
 * The changes of one simulated flow waiting at the source, oldest first, grouped by the second
 * they arrived in: enough to know how many wait and how old the oldest is.
 */
export class ChangeQueue {
  #arrivals: number[] = [];
  #counts: number[] = [];
  #head = 0;
  #size = 0;

  /** Changes waiting. */
  get size(): number {
    return this.#size;
  }

  /** Adds `count` changes that arrived at `at` (epoch ms); arrivals come in time order. */
  push(at: number, count: number): void {
    if (count <= 0) return;
    this.#arrivals.push(at);
    this.#counts.push(count);
    this.#size += count;
  }

  /** When the oldest waiting change arrived, epoch ms; undefined when none waits. */
  oldest(): number | undefined {
    return this.#size === 0 ? undefined : this.#arrivals[this.#head];
  }

  /** Removes the `count` oldest changes (they reached the target). */
  take(count: number): void {
    let left = Math.min(count, this.#size);
    this.#size -= left;
    while (left > 0) {
      const first = this.#counts[this.#head] ?? 0;
      if (first > left) {
        this.#counts[this.#head] = first - left;
        left = 0;
      } else {
        left -= first;
        this.#head += 1;
      }
    }
    if (this.#head > 4_096 && this.#head * 2 > this.#arrivals.length) {
      this.#arrivals = this.#arrivals.slice(this.#head);
      this.#counts = this.#counts.slice(this.#head);
      this.#head = 0;
    }
  }
}
