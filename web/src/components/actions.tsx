import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n';

/** Runs an action after the person confirmed it, and says what it did (or why it failed). */
export type RunAction = (question: string, action: () => Promise<string>) => Promise<void>;

const ActionContext = createContext<RunAction>(() => Promise.resolve());

/** The confirmation dialog and the result line of every action on the page. */
export function ActionProvider({ children }: { readonly children: ReactNode }) {
  const { t } = useI18n();
  const [pending, setPending] = useState<{ question: string; resolve: (isYes: boolean) => void }>();
  const [result, setResult] = useState<{ text: string; isError: boolean }>();
  const run = useCallback<RunAction>(
    async (question, action) => {
      const isYes = await new Promise<boolean>((resolve) => {
        setPending({ question, resolve });
      });
      setPending(undefined);
      if (!isYes) return;
      try {
        setResult({ text: await action(), isError: false });
      } catch (error) {
        setResult({
          text: t('common.failed', { message: error instanceof Error ? error.message : String(error) }),
          isError: true,
        });
      }
    },
    [t],
  );
  return (
    <ActionContext.Provider value={run}>
      {children}
      {pending === undefined ? null : (
        <div className="dialog-backdrop">
          <div className="dialog" role="dialog" aria-modal="true" aria-label={pending.question}>
            <p>{pending.question}</p>
            <div className="dialog-buttons">
              <button
                type="button"
                onClick={() => {
                  pending.resolve(false);
                }}
              >
                {t('common.cancel')}
              </button>
              <button
                type="button"
                className="primary"
                onClick={() => {
                  pending.resolve(true);
                }}
              >
                {t('common.confirm')}
              </button>
            </div>
          </div>
        </div>
      )}
      {result === undefined ? null : (
        <div className={result.isError ? 'toast error' : 'toast'} role="status">
          <span>{result.text}</span>
          <button
            type="button"
            onClick={() => {
              setResult(undefined);
            }}
          >
            {t('common.done')}
          </button>
        </div>
      )}
    </ActionContext.Provider>
  );
}

/** The page's action runner. */
export function useAction(): RunAction {
  return useContext(ActionContext);
}
