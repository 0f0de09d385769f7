/**
 * Polls `condition` until it holds; fails the test naming `what` if it never does. It waits for
 * an outcome, it asserts no timing: the limit only keeps a broken test from hanging.
 */
export async function eventually(
  condition: () => Promise<boolean> | boolean,
  what: string,
  options: { tries?: number; everyMs?: number } = {},
): Promise<void> {
  const tries = options.tries ?? 300;
  const everyMs = options.everyMs ?? 100;
  for (let attempt = 0; attempt < tries; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`gave up waiting until ${what}`);
}
