/**
 * The hosted-UI sign-in with PKCE, against stand-ins for the browser (location, history,
 * sessionStorage) and Cognito's token endpoint.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { cognitoBaseUrl, cognitoSignOutUrl, completeCognitoSignIn, sessionFromIdToken, startCognitoSignIn } from './cognito.js';

const settings = { domain: 'lifeboat-prod-111122223333.auth.eu-west-1.amazoncognito.com', clientId: 'client-1', redirectUri: 'https://console.example.com/' };

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256' })}.${part(claims)}.signature`;
}

interface Browser {
  assigned: string[];
  replaced: string[];
  storage: Map<string, string>;
  tokenRequests: { url: string; body: URLSearchParams }[];
}

const saved: Record<string, unknown> = {};
let browser: Browser;

function stub(name: string, value: unknown): void {
  saved[name] = (globalThis as Record<string, unknown>)[name];
  (globalThis as Record<string, unknown>)[name] = value;
}

beforeEach(() => {
  browser = { assigned: [], replaced: [], storage: new Map(), tokenRequests: [] };
  stub('window', { location: { assign: (url: string) => browser.assigned.push(url) }, history: { replaceState: (_: unknown, __: string, url: string) => browser.replaced.push(url) } });
  stub('sessionStorage', {
    getItem: (key: string) => browser.storage.get(key) ?? null,
    setItem: (key: string, value: string) => browser.storage.set(key, value),
    removeItem: (key: string) => browser.storage.delete(key),
  });
  stub('fetch', async (url: string, init: { body: string }) => {
    browser.tokenRequests.push({ url, body: new URLSearchParams(init.body) });
    return new Response(JSON.stringify({ id_token: jwt({ 'cognito:username': 'ana', 'cognito:groups': ['Operator'], exp: 2_000_000_000 }), access_token: 'a', token_type: 'Bearer' }), { status: 200 });
  });
});

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) (globalThis as Record<string, unknown>)[name] = value;
});

function returnTo(search: string): Location {
  return { search, pathname: '/' } as Location;
}

describe('Cognito sign-in with PKCE', () => {
  it('sends the browser to the hosted UI with an S256 challenge of the verifier it keeps', async () => {
    await startCognitoSignIn(settings);
    const authorize = new URL(browser.assigned[0] ?? '');
    expect(authorize.origin + authorize.pathname).toBe('https://lifeboat-prod-111122223333.auth.eu-west-1.amazoncognito.com/oauth2/authorize');
    expect(Object.fromEntries([...authorize.searchParams].filter(([k]) => !['code_challenge', 'state'].includes(k)))).toEqual({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: 'https://console.example.com/',
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    const pending = JSON.parse(browser.storage.get('lifeboat.cognito.pending') ?? '{}') as { verifier: string; state: string };
    expect(authorize.searchParams.get('state')).toBe(pending.state);
    expect(authorize.searchParams.get('code_challenge')).toBe(createHash('sha256').update(pending.verifier).digest('base64url'));
  });

  it('exchanges the returned code with the verifier and answers the session the ID token names', async () => {
    // given a sign-in started from this tab
    await startCognitoSignIn(settings);
    const pending = JSON.parse(browser.storage.get('lifeboat.cognito.pending') ?? '{}') as { verifier: string; state: string };
    // when the hosted UI redirects back with a code
    const session = await completeCognitoSignIn(settings, returnTo(`?code=the-code&state=${pending.state}`));
    // then the token endpoint got the code and the verifier, and the URL is cleaned
    expect(browser.tokenRequests).toHaveLength(1);
    expect(browser.tokenRequests[0]?.url).toBe('https://lifeboat-prod-111122223333.auth.eu-west-1.amazoncognito.com/oauth2/token');
    expect(Object.fromEntries(browser.tokenRequests[0]?.body ?? [])).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client-1',
      code: 'the-code',
      redirect_uri: 'https://console.example.com/',
      code_verifier: pending.verifier,
    });
    expect(browser.replaced).toEqual(['/']);
    expect(browser.storage.has('lifeboat.cognito.pending')).toBe(false);
    expect(session).toMatchObject({ username: 'ana', roles: ['Operator'], expiresAt: 2_000_000_000_000 });
  });

  it('refuses an answer whose state is not the one this tab sent, without asking for tokens', async () => {
    await startCognitoSignIn(settings);
    await expect(completeCognitoSignIn(settings, returnTo('?code=the-code&state=forged'))).rejects.toThrow(/does not match/);
    expect(browser.tokenRequests).toHaveLength(0);
  });

  it('ignores a URL that is no return from the hosted UI, and reports the hosted UI errors', async () => {
    await expect(completeCognitoSignIn(settings, returnTo(''))).resolves.toBeUndefined();
    await expect(completeCognitoSignIn(settings, returnTo('?error=access_denied&error_description=User+is+disabled'))).rejects.toThrow('Sign-in failed: User is disabled');
  });
});

describe('Cognito URLs and tokens', () => {
  it('takes the domain with or without a scheme', () => {
    expect(cognitoBaseUrl('x.auth.us-east-1.amazoncognito.com')).toBe('https://x.auth.us-east-1.amazoncognito.com');
    expect(cognitoBaseUrl('https://auth.example.com/')).toBe('https://auth.example.com');
    expect(cognitoSignOutUrl(settings)).toBe('https://lifeboat-prod-111122223333.auth.eu-west-1.amazoncognito.com/logout?client_id=client-1&logout_uri=https%3A%2F%2Fconsole.example.com%2F');
  });

  it('reads who a token names, with no groups meaning no roles', () => {
    expect(sessionFromIdToken(jwt({ 'cognito:username': 'bo', exp: 10 }))).toEqual({ idToken: expect.any(String), username: 'bo', roles: [], expiresAt: 10_000 });
  });
});
