import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, ok, onSessionExpired, setCsrfToken } from './api/client.ts';
import type { Permission, SessionAnswer, UserView } from './api/views.ts';

export interface Session {
  readonly user: UserView;
  readonly can: (p: Permission) => boolean;
  readonly signOut: () => Promise<void>;
}

interface SessionState {
  readonly session: Session | null;
  readonly loading: boolean;
  readonly expired: boolean;
  readonly signedIn: (a: SessionAnswer) => void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const [expired, setExpired] = useState(false);
  // undefined while asking the server who is signed in; null when no one is.
  const [answer, setAnswer] = useState<SessionAnswer | null | undefined>(undefined);
  useEffect(() => {
    ok<SessionAnswer>(api.GET('/api/v1/session'), { signingIn: true }).then(
      (a) => setAnswer(a.user ? a : null),
      () => setAnswer(null),
    );
  }, []);
  useEffect(() => setCsrfToken(answer?.csrfToken), [answer]);
  useEffect(
    () =>
      onSessionExpired(() => {
        setExpired(true);
        setAnswer(null);
        queries.clear();
      }),
    [queries],
  );
  const session: Session | null = answer
    ? {
        user: answer.user,
        can: (p) => answer.permissions.includes(p),
        signOut: async () => {
          await ok(api.DELETE('/api/v1/session')).catch(() => undefined);
          setExpired(false);
          setAnswer(null);
          queries.clear();
        },
      }
    : null;
  const state: SessionState = {
    session,
    loading: answer === undefined,
    expired,
    signedIn: (a) => {
      setExpired(false);
      setAnswer(a);
    },
  };
  return <SessionContext.Provider value={state}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSessionState outside SessionProvider');
  return s;
}

/** The signed-in session: screens behind sign-in only. */
export function useSession(): Session {
  const s = useSessionState().session;
  if (!s) throw new Error('useSession without a session');
  return s;
}
