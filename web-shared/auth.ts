import { createSignal } from 'solid-js';
import type { ApiData } from './api';

/** `user` in the answer of POST /v1/auth/verify. */
export type AuthUser = ApiData<'post', '/v1/auth/verify'>['user'];

interface Session {
  token: string;
  user: AuthUser;
}

export type AuthStore = ReturnType<typeof createAuthStore>;

/**
 * The signed-in session, kept in localStorage under `storageKey` so a reload stays signed in.
 * Each app passes its own key so the consumer app and the back office can hold different accounts.
 */
export function createAuthStore(storageKey: string) {
  const [session, setSession] = createSignal<Session | null>(read(storageKey));

  const signIn = (token: string, user: AuthUser) => {
    const next = { token, user };
    localStorage.setItem(storageKey, JSON.stringify(next));
    setSession(next);
  };
  const signOut = () => {
    localStorage.removeItem(storageKey);
    setSession(null);
  };

  return {
    token: () => session()?.token ?? null,
    user: () => session()?.user ?? null,
    signedIn: () => session() !== null,
    signIn,
    signOut,
  };
}

function read(storageKey: string): Session | null {
  try {
    const raw = localStorage.getItem(storageKey);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    return typeof parsed.token === 'string' && parsed.user ? (parsed as Session) : null;
  } catch {
    return null;
  }
}
