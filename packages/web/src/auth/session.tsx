/**
 * Who is signed in. The provider loads `/config.json`, restores the session kept in
 * sessionStorage, shows the sign-in page when there is none, ends it at the token's expiry or at
 * the first UNAUTHENTICATED answer, and gives the rest of the console an API client with the token.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import Box from '@cloudscape-design/components/box';
import Spinner from '@cloudscape-design/components/spinner';
import Alert from '@cloudscape-design/components/alert';
import { ConsoleApiProvider, sameOriginEndpoints } from '../api/client.js';
import type { ApiEndpoints } from '../api/client.js';
import type { ConsoleConfig } from './config.js';
import { loadConsoleConfig } from './config.js';
import type { Permission } from './permissions.js';
import { may as rolesMay } from './permissions.js';
import type { StoredSession } from './token-store.js';
import { clearStoredSession, readStoredSession, storeSession } from './token-store.js';
import { cognitoSignOutUrl, completeCognitoSignIn } from './cognito.js';
import { SignInPage } from './SignInPage.js';

export interface Session {
  username: string;
  roles: string[];
  may: (permission: Permission) => boolean;
  signOut: () => void;
}

interface SessionContextValue extends Session {
  /** How users sign in here: local users and passwords, or Cognito. */
  authMode: ConsoleConfig['auth'];
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession is used outside SessionProvider');
  return session;
}

/** The sign-in mode, for pages that differ between local users and Cognito (Settings > Users). */
export function useAuthMode(): ConsoleConfig['auth'] {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useAuthMode is used outside SessionProvider');
  return session.authMode;
}

type Startup = { state: 'loading' } | { state: 'failed'; message: string } | { state: 'ready'; config: ConsoleConfig };

export function SessionProvider(props: { children: ReactNode }): ReactNode {
  const [startup, setStartup] = useState<Startup>({ state: 'loading' });
  const [session, setSession] = useState<StoredSession | undefined>(() => readStoredSession());
  const [notice, setNotice] = useState<string | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const config = await loadConsoleConfig();
        if (config.auth === 'cognito') {
          const returned = await completeCognitoSignIn(config);
          if (returned && !cancelled) {
            storeSession(returned);
            setSession(returned);
          }
        }
        if (!cancelled) setStartup({ state: 'ready', config });
      } catch (error) {
        if (!cancelled) setStartup({ state: 'failed', message: error instanceof Error ? error.message : String(error) });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, []);

  const endSession = useCallback((why: string | undefined) => {
    clearStoredSession();
    setSession(undefined);
    setNotice(why);
  }, []);

  // The gateway refuses an expired token; leave before it does.
  useEffect(() => {
    if (!session) return undefined;
    const timer = setTimeout(() => endSession('Your session expired: sign in again.'), Math.max(0, session.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [session, endSession]);

  const config = startup.state === 'ready' ? startup.config : undefined;
  const endpoints = useMemo<ApiEndpoints>(() => {
    const sameOrigin = sameOriginEndpoints();
    return { graphqlUrl: config?.graphqlUrl ?? sameOrigin.graphqlUrl, webSocketUrl: config?.webSocketUrl ?? sameOrigin.webSocketUrl };
  }, [config]);

  const signOut = useCallback(() => {
    endSession(undefined);
    if (config?.auth === 'cognito') window.location.assign(cognitoSignOutUrl(config));
  }, [config, endSession]);
  const onUnauthenticated = useCallback(() => endSession('Your session has ended: sign in again.'), [endSession]);

  const value = useMemo<SessionContextValue | undefined>(
    () =>
      session && config
        ? { username: session.username, roles: session.roles, may: (permission) => rolesMay(session.roles, permission), signOut, authMode: config.auth }
        : undefined,
    [session, config, signOut],
  );

  if (startup.state === 'loading') {
    return (
      <Box textAlign="center" padding="xxxl">
        <Spinner size="large" /> Loading Lifeboat…
      </Box>
    );
  }
  if (startup.state === 'failed') {
    return (
      <Box padding="xxl">
        <Alert type="error" header="Lifeboat could not start">
          {startup.message}
        </Alert>
      </Box>
    );
  }
  if (!value || !session) {
    return (
      <SignInPage
        config={startup.config}
        notice={notice}
        onSignedIn={(signedIn) => {
          storeSession(signedIn);
          setNotice(undefined);
          setSession(signedIn);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={value}>
      <ConsoleApiProvider token={session.idToken} endpoints={endpoints} onUnauthenticated={onUnauthenticated}>
        {props.children}
      </ConsoleApiProvider>
    </SessionContext.Provider>
  );
}
