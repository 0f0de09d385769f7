import { useCallback, useEffect, useRef, useState } from 'react';

/** What a polled request gives a component. */
export interface Polled<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  /** When the last answer arrived, epoch ms. */
  readonly at: number | undefined;
  /** Asks again now (after an action). */
  readonly refresh: () => void;
}

/**
 * Calls `load` now and every `intervalMs` while the page is visible (a hidden tab asks nothing),
 * and again when `key` changes. Answers of an older key are dropped.
 */
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, key: string): Polled<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; at?: number }>({});
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => {
    setTick((value) => value + 1);
  }, []);

  useEffect(() => {
    setState({});
  }, [key]);

  useEffect(() => {
    let isCurrent = true;
    const run = (): void => {
      if (document.hidden) return;
      loadRef.current().then(
        (data) => {
          if (isCurrent) setState({ data, at: Date.now() });
        },
        (error: unknown) => {
          if (isCurrent)
            setState((previous) => ({
              ...previous,
              error: error instanceof Error ? error : new Error(String(error)),
            }));
        },
      );
    };
    run();
    const timer = window.setInterval(run, intervalMs);
    const onVisible = (): void => {
      if (!document.hidden) run();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      isCurrent = false;
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key, intervalMs, tick]);

  return { data: state.data, error: state.error, at: state.at, refresh };
}
