import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { api, ok, onSessionExpired, setCsrfToken } from './api/client.ts';
import type { Permission, SessionAnswer, UserView } from './api/views.ts';

export interface Session {
  readonly user: UserView;
  readonly can: (p: Permission) => boolean;
  readonly signOut: () => Promise<void>;
}

/**
 * Whose work a return to the page asked for may resume: `undefined` in a fresh tab (a deep link typed or
 * followed here), the e-mail of the user whose session expired, or `null` after a sign-out (nobody's).
 */
export type ResumeFor = string | null | undefined;

interface SessionState {
  readonly session: Session | null;
  readonly loading: boolean;
  readonly expired: boolean;
  readonly resumeFor: ResumeFor;
  readonly signedIn: (a: SessionAnswer) => void;
}

const SessionContext = createContext<SessionState | null>(null);

/** Tabs of the same browser tell each other when someone signs in or out. */
const CHANNEL = 'conduit-session';

/** Per-tab memory of what the previous user was doing (the queue's selection, …): gone with the user. */
function forgetTabState(): void {
  try {
    sessionStorage.clear();
  } catch {
    // Storage can be unavailable (private modes); nothing is remembered then.
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const [expired, setExpired] = useState(false);
  const [resumeFor, setResumeFor] = useState<ResumeFor>(undefined);
  // undefined while asking the server who is signed in; null when no one is.
  const [answer, setAnswer] = useState<SessionAnswer | null | undefined>(undefined);
  const current = useRef<string | null | undefined>(undefined);
  // One channel per tab, to announce and to listen: a channel never hears its own messages.
  const channel = useRef<BroadcastChannel | null>(null);
  const announce = (kind: 'signed-in' | 'signed-out') => channel.current?.postMessage({ kind });
  current.current = answer === undefined ? undefined : (answer?.user.email ?? null);
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
        if (current.current) setResumeFor(current.current);
        setExpired(true);
        setAnswer(null);
        queries.clear();
        forgetTabState();
      }),
    [queries],
  );
  // Another tab signed in or out: whoever this tab shows may no longer be the browser's user.
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const ch = new BroadcastChannel(CHANNEL);
    channel.current = ch;
    ch.onmessage = () => {
      const shown = current.current;
      if (shown === undefined) return;
      void ok<SessionAnswer>(api.GET('/api/v1/session'), { signingIn: true })
        .then(
          (a) => (a.user ? a : null),
          () => null,
        )
        .then((now) => {
          // The same user signed in again elsewhere: keep working, with the new session's CSRF token.
          if (now && now.user.email === shown) return setAnswer(now);
          if (!now && shown === null) return;
          queries.clear();
          forgetTabState();
          window.location.assign('/sign-in');
        });
    };
    return () => {
      channel.current = null;
      ch.close();
    };
  }, [queries]);
  const session: Session | null = answer
    ? {
        user: answer.user,
        can: (p) => answer.permissions.includes(p),
        signOut: async () => {
          await ok(api.DELETE('/api/v1/session')).catch(() => undefined);
          setExpired(false);
          setResumeFor(null);
          setAnswer(null);
          queries.clear();
          forgetTabState();
          announce('signed-out');
        },
      }
    : null;
  const state: SessionState = {
    session,
    loading: answer === undefined,
    expired,
    resumeFor,
    signedIn: (a) => {
      queries.clear();
      if (resumeFor !== undefined && resumeFor !== a.user.email) forgetTabState();
      setExpired(false);
      setAnswer(a);
      announce('signed-in');
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
