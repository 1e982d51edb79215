/**
 * The signed-in session kept in sessionStorage (one tab, gone when the tab closes): the ID token,
 * when it expires, and who it names.
 */
export interface StoredSession {
  idToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  username: string;
  roles: string[];
}

const KEY = 'lifeboat.session';

export function readStoredSession(now: number = Date.now()): StoredSession | undefined {
  const text = sessionStorage.getItem(KEY);
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<StoredSession>;
    if (
      typeof parsed.idToken !== 'string' ||
      typeof parsed.expiresAt !== 'number' ||
      typeof parsed.username !== 'string' ||
      !Array.isArray(parsed.roles) ||
      parsed.expiresAt <= now
    ) {
      sessionStorage.removeItem(KEY);
      return undefined;
    }
    return { idToken: parsed.idToken, expiresAt: parsed.expiresAt, username: parsed.username, roles: parsed.roles.filter((r): r is string => typeof r === 'string') };
  } catch {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
}

export function storeSession(session: StoredSession): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearStoredSession(): void {
  sessionStorage.removeItem(KEY);
}

/** The claims of a JWT's payload (not verified: the gateway verifies; the console only reads who it names). */
export function jwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) throw new Error('not a JWT');
  const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
  const json = new TextDecoder().decode(Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0)));
  return JSON.parse(json) as Record<string, unknown>;
}
