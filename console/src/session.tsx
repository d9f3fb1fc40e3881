/**
 * The signed-in operator: session token (sessionStorage, per browser tab), name and role. The
 * UI hides operator actions for viewers; the API refuses them anyway (403).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { del, getJson, getToken, postJson, setToken, setUnauthorizedHandler } from './api';
import type { Meta, Role } from './types';

export interface Session {
  readonly operator: string;
  readonly role: Role;
  readonly meta: Meta;
}

interface SessionContextValue {
  readonly session: Session | null;
  readonly loading: boolean;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(getToken() !== null);

  const load = useCallback(async () => {
    const meta = await getJson<Meta>('/api/console/meta');
    setSession({ operator: meta.operator.name, role: meta.operator.role, meta });
  }, []);

  const drop = useCallback(() => {
    setToken(null);
    setSession(null);
    queryClient.clear();
  }, [queryClient]);

  useEffect(() => {
    setUnauthorizedHandler(drop);
    if (getToken() === null) return;
    load()
      .catch(() => drop())
      .finally(() => setLoading(false));
  }, [load, drop]);

  const value = useMemo<SessionContextValue>(
    () => ({
      session,
      loading,
      async signIn(username, password) {
        const answer = await postJson<{ token: string }>('/api/session', { username, password });
        setToken(answer.token);
        await load();
      },
      async signOut() {
        await del('/api/session').catch(() => undefined);
        drop();
      },
    }),
    [session, loading, load, drop],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const v = useContext(SessionContext);
  if (v === null) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in session (only used below the sign-in gate). */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (session === null) throw new Error('not signed in');
  return session;
}

export function useIsOperator(): boolean {
  return useSession().session?.role === 'operator';
}
