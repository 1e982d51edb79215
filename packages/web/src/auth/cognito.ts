/**
 * Cognito hosted-UI sign-in: authorization code flow with PKCE (a public client keeps no secret).
 * The ID token from the token endpoint is what the gateway verifies.
 */
import type { StoredSession } from './token-store.js';
import { jwtClaims } from './token-store.js';

export interface CognitoSettings {
  domain: string;
  clientId: string;
  redirectUri: string;
}

const PENDING_KEY = 'lifeboat.cognito.pending';

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(byteCount: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

/** The hosted UI's base URL, from a bare host name or a full URL. */
export function cognitoBaseUrl(domain: string): string {
  return (domain.startsWith('https://') ? domain : `https://${domain}`).replace(/\/+$/, '');
}

/** Sends the browser to the hosted UI, remembering the PKCE verifier and state for the return. */
export async function startCognitoSignIn(settings: CognitoSettings): Promise<void> {
  const verifier = randomString(48);
  const state = randomString(16);
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: settings.redirectUri,
    scope: 'openid email profile',
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  });
  window.location.assign(`${cognitoBaseUrl(settings.domain)}/oauth2/authorize?${query.toString()}`);
}

/** The session named by an ID token (Cognito's claims: `cognito:username`, `cognito:groups`, `exp`). */
export function sessionFromIdToken(idToken: string): StoredSession {
  const claims = jwtClaims(idToken);
  const groups = Array.isArray(claims['cognito:groups']) ? claims['cognito:groups'].filter((g): g is string => typeof g === 'string') : [];
  const username = typeof claims['cognito:username'] === 'string' ? claims['cognito:username'] : typeof claims.email === 'string' ? claims.email : 'unknown';
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + 5 * 60_000;
  return { idToken, expiresAt: exp, username, roles: groups };
}

/**
 * Completes a sign-in when the hosted UI redirected back with `?code=&state=`: exchanges the code
 * for tokens and cleans the URL. Answers undefined when the URL is not such a return.
 */
export async function completeCognitoSignIn(settings: CognitoSettings, location: Location = window.location): Promise<StoredSession | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const returnedState = params.get('state');
  const failure = params.get('error_description') ?? params.get('error');
  if (failure) {
    window.history.replaceState(null, '', location.pathname);
    throw new Error(`Sign-in failed: ${failure}`);
  }
  if (!code || !returnedState) return undefined;
  const pendingText = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  window.history.replaceState(null, '', location.pathname);
  const pending = pendingText ? (JSON.parse(pendingText) as { verifier?: string; state?: string }) : undefined;
  if (!pending?.verifier || pending.state !== returnedState) throw new Error('Sign-in failed: the answer does not match the request made from this tab. Try again.');
  const response = await fetch(`${cognitoBaseUrl(settings.domain)}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: settings.clientId,
      code,
      redirect_uri: settings.redirectUri,
      code_verifier: pending.verifier,
    }).toString(),
  });
  const body = (await response.json().catch(() => ({}))) as { id_token?: unknown; error?: unknown };
  if (!response.ok || typeof body.id_token !== 'string') throw new Error(`Sign-in failed: ${typeof body.error === 'string' ? body.error : `token endpoint answered ${response.status}`}`);
  return sessionFromIdToken(body.id_token);
}

/** Ends the hosted UI's own session too, returning to the console. */
export function cognitoSignOutUrl(settings: CognitoSettings): string {
  const query = new URLSearchParams({ client_id: settings.clientId, logout_uri: settings.redirectUri });
  return `${cognitoBaseUrl(settings.domain)}/logout?${query.toString()}`;
}
