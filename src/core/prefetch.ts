/**
 * Iterates `source` while reading one item ahead: the next batch is read from the source while
 * the current one is written to the target, so reads and writes overlap.
 */
export async function* prefetchOne<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    for (;;) {
      const current = await pending;
      if (current.done === true) return;
      pending = iterator.next();
      // Avoid an unhandled rejection if the consumer stops before awaiting the prefetched read.
      pending.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await iterator.return?.();
  }
}
