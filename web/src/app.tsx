import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiClient } from './api/client';
import type { Session } from './api/types';
import { ActionProvider } from './components/actions';
import { usePoll } from './components/use-poll';
import {
  I18nContext,
  initialLocale,
  LOCALE_STORAGE_KEY,
  translate,
  translateValue,
  type I18n,
  type Locale,
} from './i18n/i18n';
import { AlertsPage } from './pages/alerts-page';
import { AuditPage } from './pages/audit-page';
import { FlowPage } from './pages/flow-page';
import { SignIn } from './pages/sign-in';
import { WallPage } from './pages/wall-page';
import { forgetToken, keepToken, readToken } from './session';

/** Which page the hash names: `#/`, `#/tv` (wall-screen mode), `#/flows/<name>`, `#/alerts`, `#/audit`. */
type Route =
  { readonly page: 'wall' | 'tv' | 'alerts' | 'audit' } | { readonly page: 'flow'; readonly flow: string };

export function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '');
  const flow = /^\/flows\/([^/]+)$/.exec(path)?.[1];
  if (flow !== undefined) return { page: 'flow', flow: decodeURIComponent(flow) };
  if (path === '/tv') return { page: 'tv' };
  if (path === '/alerts') return { page: 'alerts' };
  if (path === '/audit') return { page: 'audit' };
  return { page: 'wall' };
}

function useHashRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.hash));
  useEffect(() => {
    const onChange = (): void => {
      setRoute(routeOf(window.location.hash));
    };
    window.addEventListener('hashchange', onChange);
    return () => {
      window.removeEventListener('hashchange', onChange);
    };
  }, []);
  return route;
}

function AuditRoute({ client }: { readonly client: ApiClient }) {
  const flows = usePoll(() => client.get<{ flows: { flow: string }[] }>('/flows'), 300_000, 'flow-names');
  return <AuditPage client={client} flows={(flows.data?.flows ?? []).map((entry) => entry.flow)} />;
}

/** The dashboard: sign-in, then the wall screen, flow, alerts and audit pages, in en or zh-CN. */
export function App() {
  const [locale, setLocale] = useState<Locale>(() =>
    initialLocale(localStorage.getItem(LOCALE_STORAGE_KEY), navigator.languages),
  );
  const [token, setToken] = useState(readToken);
  const [session, setSession] = useState<Session>();
  const route = useHashRoute();
  const i18n = useMemo<I18n>(
    () => ({
      locale,
      t: (key, values) => translate(locale, key, values),
      v: (value) => translateValue(locale, value),
    }),
    [locale],
  );
  const signOut = useCallback(() => {
    forgetToken();
    setToken(undefined);
    setSession(undefined);
  }, []);
  const client = useMemo(
    () => (token === undefined ? undefined : new ApiClient(token, signOut)),
    [token, signOut],
  );
  const isWallMode = route.page === 'tv';

  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = translate(locale, 'app.title');
  }, [locale]);
  useEffect(() => {
    document.body.classList.toggle('wall-mode', isWallMode);
    if (!isWallMode) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') window.location.hash = '#/';
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
    };
  }, [isWallMode]);
  useEffect(() => {
    if (client === undefined || session !== undefined) return;
    client.get<Session>('/session').then(setSession, signOut);
  }, [client, session, signOut]);

  const chooseLocale = (next: Locale): void => {
    localStorage.setItem(LOCALE_STORAGE_KEY, next);
    setLocale(next);
  };
  const t = i18n.t;
  const canOperate = !isWallMode && (session?.role === 'operator' || session?.role === 'admin');
  let page;
  if (client === undefined)
    page = (
      <SignIn
        onSignedIn={(presented, signedIn) => {
          keepToken(presented);
          setToken(presented);
          setSession(signedIn);
        }}
      />
    );
  else if (session === undefined) page = <p>{t('common.loading')}</p>;
  else if (route.page === 'flow')
    page = (
      <FlowPage
        key={route.flow}
        client={client}
        flow={route.flow}
        canOperate={canOperate}
        serverTimeZone={session.serverTimeZone}
      />
    );
  else if (route.page === 'alerts') page = <AlertsPage client={client} />;
  else if (route.page === 'audit') page = <AuditRoute client={client} />;
  else page = <WallPage client={client} isWallMode={isWallMode} />;

  return (
    <I18nContext.Provider value={i18n}>
      <ActionProvider>
        {isWallMode ? null : (
          <nav className="top">
            <strong className="brand">{t('app.title')}</strong>
            {session === undefined ? null : (
              <>
                <a href="#/">{t('nav.wall')}</a>
                <a href="#/alerts">{t('nav.alerts')}</a>
                <a href="#/audit">{t('nav.audit')}</a>
                <button
                  type="button"
                  onClick={() => {
                    document.documentElement.requestFullscreen().catch(() => undefined);
                    window.location.hash = '#/tv';
                  }}
                >
                  {t('nav.wallMode')}
                </button>
              </>
            )}
            <span className="spacer" />
            <label>
              {t('nav.language')}{' '}
              <select
                value={locale}
                onChange={(event) => {
                  chooseLocale(event.target.value === 'zh-CN' ? 'zh-CN' : 'en');
                }}
                aria-label={t('nav.language')}
              >
                <option value="en">English</option>
                <option value="zh-CN">简体中文</option>
              </select>
            </label>
            {session === undefined ? null : (
              <>
                <span className="muted">
                  {t('nav.signedInAs', { name: session.name, role: t(`role.${session.role}`) })}
                </span>
                <button type="button" onClick={signOut}>
                  {t('nav.signOut')}
                </button>
              </>
            )}
          </nav>
        )}
        <main>{page}</main>
      </ActionProvider>
    </I18nContext.Provider>
  );
}
