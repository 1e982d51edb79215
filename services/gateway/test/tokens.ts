/** An identity provider for tests: an RSA key, its JWKS, and Cognito-shaped ID tokens. */
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWTPayload } from 'jose';
import type { Jwks } from '../src/auth.js';

export interface TestIssuer {
  issuer: string;
  audience: string;
  jwks: Jwks;
  /** A signed ID token for `sub` with `groups`; `claims` override or add claims (undefined removes one). */
  token(options?: { sub?: string; username?: string; groups?: string[]; claims?: Record<string, unknown>; expiresInSeconds?: number }): Promise<string>;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export async function createTestIssuer(issuer = 'http://127.0.0.1:4000', audience = 'lifeboat-web', kid = 'test-key-1'): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    issuer,
    audience,
    jwks: { keys: [jwk] } as Jwks,
    token: (options = {}) => sign(privateKey, kid, { issuer, audience, ...options }),
  };
}

async function sign(
  key: CryptoKey,
  kid: string,
  options: { issuer: string; audience: string; sub?: string; username?: string; groups?: string[]; claims?: Record<string, unknown>; expiresInSeconds?: number },
): Promise<string> {
  const iat = nowSeconds();
  const payload: Record<string, unknown> = {
    iss: options.issuer,
    aud: options.audience,
    sub: options.sub ?? 'user-1',
    token_use: 'id',
    'cognito:username': options.username ?? 'alice',
    'cognito:groups': options.groups ?? ['Viewer'],
    iat,
    exp: iat + (options.expiresInSeconds ?? 3600),
    ...options.claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The token with its payload changed (claims merged) and the original signature kept. */
export function tampered(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${base64url({ ...decoded, ...claims })}.${signature}`;
}

/** The token's claims, unsigned (`alg: none`). */
export function unsigned(token: string): string {
  const [header, payload] = token.split('.') as [string, string];
  const decodedHeader = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${base64url({ ...decodedHeader, alg: 'none' })}.${payload}.`;
}
