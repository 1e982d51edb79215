/**
 * Bearer tokens verified with aws-jwt-verify against an in-memory JWKS (no network): the claims
 * become the caller, and every kind of bad token is UNAUTHENTICATED.
 */
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { SignJWT } from 'jose';
import { UnauthenticatedError } from '@lifeboat/service-api';
import { authOptionsFromEnv, callerOf, createAuthenticator, userPoolIdOf } from '../src/auth.js';
import type { Authenticator } from '../src/auth.js';
import { createTestIssuer, tampered, unsigned } from './tokens.js';
import type { TestIssuer } from './tokens.js';

let idp: TestIssuer;
let auth: Authenticator;

beforeAll(async () => {
  idp = await createTestIssuer();
  auth = createAuthenticator({ provider: 'local', issuer: idp.issuer, audience: idp.audience, jwks: idp.jwks });
});

/** The token with one byte of its signature changed. */
function withSignatureFlipped(token: string): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

async function refusal(header: string | undefined): Promise<string> {
  try {
    await auth.authenticate(header);
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthenticatedError);
    return (error as Error).message;
  }
  throw new Error('the token was accepted');
}

describe('local provider (JwtVerifier, in-memory JWKS)', () => {
  it('turns the claims into the caller', async () => {
    const token = await idp.token({ sub: 'sub-42', username: 'bob', groups: ['Operator', 'PlanAuthor'] });
    const { caller, expiresAt } = await auth.authenticate(`Bearer ${token}`);
    expect(caller).toEqual({ userId: 'sub-42', username: 'bob', roles: ['Operator', 'PlanAuthor'] });
    expect(expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('accepts the scheme in any case; a user without groups has no roles', async () => {
    const token = await idp.token({ claims: { 'cognito:groups': undefined } });
    expect((await auth.authenticate(`bearer ${token}`)).caller.roles).toEqual([]);
  });

  it('refuses a missing header or another scheme', async () => {
    expect(await refusal(undefined)).toMatch(/Authentication required/);
    expect(await refusal('')).toMatch(/Authentication required/);
    expect(await refusal(`Basic ${Buffer.from('a:b').toString('base64')}`)).toMatch(/Authentication required/);
  });

  it('refuses an expired token as such', async () => {
    expect(await refusal(`Bearer ${await idp.token({ expiresInSeconds: -60 })}`)).toBe('Token expired');
  });

  it.each([
    ['another issuer', { iss: 'http://evil.example' }],
    ['another audience', { aud: 'someone-else' }],
    ['an access token', { token_use: 'access' }],
    ['no expiry', { exp: undefined }],
    ['no subject', { sub: undefined }],
  ])('refuses a token with %s', async (_what, claims) => {
    expect(await refusal(`Bearer ${await idp.token({ claims })}`)).toBe('Invalid token');
  });

  it('refuses the Bearer scheme without a token', async () => {
    expect(await refusal('Bearer')).toMatch(/Authentication required/);
    expect(await refusal('Bearer   ')).toMatch(/Authentication required/);
  });

  it('refuses an unsigned token (alg none), with or without the original signature', async () => {
    const token = await idp.token({ groups: ['Viewer'] });
    expect(await refusal(`Bearer ${unsigned(token)}`)).toBe('Invalid token');
    expect(await refusal(`Bearer ${unsigned(token)}${token.split('.')[2] ?? ''}`)).toBe('Invalid token');
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const token = await idp.token({ groups: ['Viewer'] });
    expect(await refusal(`Bearer ${tampered(token, { 'cognito:groups': ['Admin'] })}`)).toBe('Invalid token');
  });

  it('refuses a token whose signature was changed', async () => {
    expect(await refusal(`Bearer ${withSignatureFlipped(await idp.token({ groups: ['Admin'] }))}`)).toBe('Invalid token');
  });

  it('refuses a token signed by a foreign key under the key id of ours', async () => {
    const stranger = await createTestIssuer(idp.issuer, idp.audience, 'test-key-1');
    expect(await refusal(`Bearer ${await stranger.token()}`)).toBe('Invalid token');
  });

  it('refuses a token signed by a foreign key under an unknown key id, fetching nothing', async () => {
    const stranger = await createTestIssuer(idp.issuer, idp.audience, 'someone-elses-key');
    const fetched = jest.spyOn(globalThis, 'fetch');
    try {
      expect(await refusal(`Bearer ${await stranger.token()}`)).toBe('Invalid token');
      expect(fetched).not.toHaveBeenCalled();
    } finally {
      fetched.mockRestore();
    }
  });

  it('refuses an HS256 token keyed with our public key (algorithm confusion)', async () => {
    const publicKey = new TextEncoder().encode(JSON.stringify(idp.jwks.keys[0]));
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: 'user-1', token_use: 'id', 'cognito:username': 'mallory', 'cognito:groups': ['Admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'test-key-1', typ: 'JWT' })
      .setIssuer(idp.issuer)
      .setAudience(idp.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(publicKey);
    expect(await refusal(`Bearer ${token}`)).toBe('Invalid token');
  });

  it('refuses a token that is not valid yet (nbf in the future)', async () => {
    expect(await refusal(`Bearer ${await idp.token({ claims: { nbf: Math.floor(Date.now() / 1000) + 600 } })}`)).toBe('Invalid token');
  });

  it('refuses a malformed token', async () => {
    expect(await refusal('Bearer not.a.jwt')).toBe('Invalid token');
  });
});

describe('cognito provider (CognitoJwtVerifier)', () => {
  const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123';

  it('verifies a user pool ID token with the keys in memory', async () => {
    const pool = await createTestIssuer(issuer, 'client-1');
    const cognito = createAuthenticator({ provider: 'cognito', issuer, audience: 'client-1', jwks: pool.jwks });
    const { caller } = await cognito.authenticate(`Bearer ${await pool.token({ sub: 'u-1', username: 'carol', groups: ['Admin'] })}`);
    expect(caller).toEqual({ userId: 'u-1', username: 'carol', roles: ['Admin'] });
    await expect(cognito.authenticate(`Bearer ${await pool.token({ claims: { token_use: 'access' } })}`)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(cognito.authenticate(`Bearer ${await pool.token({ claims: { aud: 'client-2' } })}`)).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it.each([
    ['an expired token', async (pool: TestIssuer) => pool.token({ expiresInSeconds: -60 }), 'Token expired'],
    ['a token of another user pool', async (pool: TestIssuer) => pool.token({ claims: { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other0000' } }), 'Invalid token'],
    ['an unsigned token (alg none)', async (pool: TestIssuer) => unsigned(await pool.token()), 'Invalid token'],
    ['a token whose signature was changed', async (pool: TestIssuer) => withSignatureFlipped(await pool.token()), 'Invalid token'],
    ['a token signed by a foreign key', async (pool: TestIssuer) => (await createTestIssuer(pool.issuer, pool.audience, 'test-key-1')).token(), 'Invalid token'],
  ] as const)('refuses %s', async (_what, tokenOf, message) => {
    const pool = await createTestIssuer(issuer, 'client-1');
    const cognito = createAuthenticator({ provider: 'cognito', issuer, audience: 'client-1', jwks: pool.jwks });
    const refused = cognito.authenticate(`Bearer ${await tokenOf(pool)}`);
    await expect(refused).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(refused).rejects.toThrow(message);
  });

  it('takes the user pool from the issuer, and refuses an issuer that is not a user pool', () => {
    expect(userPoolIdOf(issuer)).toBe('eu-west-1_AbCdEf123');
    expect(() => createAuthenticator({ provider: 'cognito', issuer: 'http://127.0.0.1:4000', audience: 'x', jwks: { keys: [] } })).toThrow('not a Cognito user pool issuer');
  });
});

describe('configuration', () => {
  it('reads the environment, naming a missing variable', () => {
    expect(authOptionsFromEnv({ GATEWAY_AUTH_ISSUER: 'https://i', GATEWAY_AUTH_AUDIENCE: 'a' })).toEqual({ provider: 'cognito', issuer: 'https://i', audience: 'a' });
    expect(authOptionsFromEnv({ GATEWAY_AUTH_PROVIDER: 'local', GATEWAY_AUTH_ISSUER: 'http://i', GATEWAY_AUTH_AUDIENCE: 'a', GATEWAY_AUTH_JWKS_URI: 'http://i/jwks' })).toEqual({
      provider: 'local',
      issuer: 'http://i',
      audience: 'a',
      jwksUri: 'http://i/jwks',
    });
    expect(() => authOptionsFromEnv({ GATEWAY_AUTH_ISSUER: 'https://i' })).toThrow('GATEWAY_AUTH_AUDIENCE');
    expect(() => authOptionsFromEnv({ GATEWAY_AUTH_PROVIDER: 'saml' })).toThrow('GATEWAY_AUTH_PROVIDER');
  });

  it('a local provider needs its keys', () => {
    expect(() => createAuthenticator({ provider: 'local', issuer: 'http://x', audience: 'a' })).toThrow('jwksUri or jwks');
  });

  it('callerOf falls back to sub for the username', () => {
    expect(callerOf({ sub: 's', 'cognito:groups': ['Viewer', 7] } as never)).toEqual({ userId: 's', username: 's', roles: ['Viewer'] });
  });
});
