import { useState } from 'react';
import { ApiClient } from '../api/client';
import type { Session } from '../api/types';
import { useI18n } from '../i18n/i18n';

/** Paste a token once; it is checked against /api/v1/session before it is kept for the tab. */
export function SignIn({ onSignedIn }: { readonly onSignedIn: (token: string, session: Session) => void }) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      className="sign-in panel"
      autoComplete="off"
      onSubmit={(event) => {
        event.preventDefault();
        const presented = token.trim();
        if (presented === '') return;
        new ApiClient(presented, () => undefined).get<Session>('/session').then(
          (session) => {
            setToken('');
            onSignedIn(presented, session);
          },
          (failure: unknown) => {
            setError(
              t('signIn.refused', { message: failure instanceof Error ? failure.message : String(failure) }),
            );
          },
        );
      }}
    >
      <h1>{t('signIn.title')}</h1>
      <p className="muted">{t('signIn.hint')}</p>
      <label>
        {t('signIn.token')}
        <input
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => {
            setToken(event.target.value);
          }}
        />
      </label>
      <button type="submit" className="primary">
        {t('signIn.submit')}
      </button>
      {error === undefined ? null : (
        <p className="warn" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
