import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { Jwk, Jwks } from 'aws-jwt-verify/jwk';
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { Caller } from '@lifeboat/service-api';
import { UnauthenticatedError } from '@lifeboat/service-api';

export type { Jwks } from 'aws-jwt-verify/jwk';

/**
 * How bearer tokens are verified. Both providers issue Cognito-shaped ID tokens (`token_use:
 * 'id'`, `cognito:username`, `cognito:groups`) and are verified by aws-jwt-verify:
 * `cognito` with CognitoJwtVerifier (on AWS), `local` with JwtVerifier (the local identity
 * provider, or any other OIDC issuer).
 */
export interface AuthOptions {
  provider: 'cognito' | 'local';
  /** Expected `iss`, e.g. `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc` or the local provider's URL. */
  issuer: string;
  /** Expected `aud`: the app client id. */
  audience: string;
  /**
   * Where the signing keys are fetched (http or https for `local`; Cognito's own for `cognito`).
   * When set, an unknown key id makes the verifier fetch the keys again (key rotation).
   */
  jwksUri?: string;
  /**
   * The signing keys, in memory (for example handed over by the local identity provider in the
   * same process). With only `jwks`, no network call is ever made.
   */
  jwks?: Jwks;
}

/** A verified token: who calls, and until when the token is valid. */
export interface Authentication {
  caller: Caller;
  /** `exp` of the token, in seconds since the epoch. */
  expiresAt: number;
}

export interface Authenticator {
  /**
   * Verifies the value of an `Authorization` header (`Bearer <jwt>`); throws
   * UnauthenticatedError when it is missing or not a valid, unexpired token for this gateway.
   */
  authenticate(authorization: string | undefined | null): Promise<Authentication>;
}

/** Reads GATEWAY_AUTH_PROVIDER (default cognito), GATEWAY_AUTH_ISSUER, GATEWAY_AUTH_AUDIENCE, GATEWAY_AUTH_JWKS_URI. */
export function authOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthOptions {
  const provider = env.GATEWAY_AUTH_PROVIDER || 'cognito';
  if (provider !== 'cognito' && provider !== 'local') {
    throw new Error(`Environment variable GATEWAY_AUTH_PROVIDER must be cognito or local, not ${provider}`);
  }
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`Environment variable ${name} is not set`);
    return value;
  };
  const jwksUri = env.GATEWAY_AUTH_JWKS_URI;
  return {
    provider,
    issuer: required('GATEWAY_AUTH_ISSUER'),
    audience: required('GATEWAY_AUTH_AUDIENCE'),
    ...(jwksUri ? { jwksUri } : {}),
  };
}

/** Fetches a JWKS with the platform's fetch, so that an http JWKS (the local provider) works too. */
class PlatformFetcher implements Fetcher {
  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await fetch(uri, { signal: AbortSignal.timeout(5000) });
    if (response.status !== 200) throw new Error(`GET ${uri} answered ${response.status}`);
    return response.arrayBuffer();
  }
}

/** The checks aws-jwt-verify leaves to us: an ID token, with an expiry and a subject. */
function checkIdToken({ payload }: { header: JwtHeader; payload: JwtPayload; jwk: Jwk }): void {
  if (payload.token_use !== 'id') throw new Error('not an ID token');
  if (typeof payload.exp !== 'number') throw new Error('the token has no expiry');
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('the token has no subject');
}

/** The user pool id of a Cognito issuer URL (`https://cognito-idp.<region>.amazonaws.com/<pool id>`). */
export function userPoolIdOf(issuer: string): string {
  const url = new URL(issuer);
  const poolId = url.pathname.replace(/^\/|\/$/g, '');
  if (!/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/.test(url.hostname) || !poolId || poolId.includes('/')) {
    throw new Error(`${issuer} is not a Cognito user pool issuer`);
  }
  return poolId;
}

type Verify = (token: string) => Promise<JwtPayload>;

function cognitoVerifier(options: AuthOptions): Verify {
  const userPoolId = userPoolIdOf(options.issuer);
  const expected = CognitoJwtVerifier.parseUserPoolId(userPoolId);
  if (expected.issuer !== options.issuer.replace(/\/$/, '')) throw new Error(`${options.issuer} is not the issuer of user pool ${userPoolId}`);
  if (options.jwksUri && options.jwksUri !== expected.jwksUri) throw new Error(`Cognito's keys are at ${expected.jwksUri}, not ${options.jwksUri}`);
  const verifier = CognitoJwtVerifier.create({ userPoolId, clientId: options.audience, tokenUse: 'id', customJwtCheck: checkIdToken });
  if (options.jwks) {
    verifier.cacheJwks(options.jwks);
    if (!options.jwksUri) return async (token) => verifier.verifySync(token);
  }
  return (token) => verifier.verify(token);
}

function localVerifier(options: AuthOptions): Verify {
  if (!options.jwksUri && !options.jwks) throw new Error('AuthOptions needs jwksUri or jwks');
  const jwksCache = new SimpleJwksCache({ fetcher: new PlatformFetcher() });
  const verifier = JwtVerifier.create(
    { issuer: options.issuer, audience: options.audience, customJwtCheck: checkIdToken, ...(options.jwksUri ? { jwksUri: options.jwksUri } : {}) },
    { jwksCache },
  );
  if (options.jwks) {
    verifier.cacheJwks(options.jwks);
    // Only the keys in memory: verify synchronously, never fetching.
    if (!options.jwksUri) return async (token) => verifier.verifySync(token);
  }
  return (token) => verifier.verify(token);
}

/** The caller a verified token stands for: `sub`, `cognito:username`, `cognito:groups` (roles). */
export function callerOf(payload: JwtPayload): Caller {
  const sub = payload.sub;
  if (typeof sub !== 'string' || sub === '') throw new UnauthenticatedError('Invalid token');
  const username = payload['cognito:username'];
  const groups = payload['cognito:groups'];
  return {
    userId: sub,
    username: typeof username === 'string' && username !== '' ? username : sub,
    roles: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
  };
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Verifies bearer tokens with aws-jwt-verify.
 *
 * @example
 * const auth = createAuthenticator({ provider: 'local', issuer: 'http://localhost:4000', audience: 'lifeboat-web', jwks });
 * const { caller } = await auth.authenticate(request.headers.authorization);
 */
export function createAuthenticator(options: AuthOptions): Authenticator {
  const verify = options.provider === 'cognito' ? cognitoVerifier(options) : localVerifier(options);
  return {
    async authenticate(authorization) {
      const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
      if (!token) throw new UnauthenticatedError('Authentication required: send the header Authorization: Bearer <ID token>');
      let payload: JwtPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        // Say no more than this: the details help an attacker more than a user.
        throw new UnauthenticatedError(error instanceof JwtExpiredError ? 'Token expired' : 'Invalid token', undefined, { cause: error });
      }
      return { caller: callerOf(payload), expiresAt: payload.exp ?? 0 };
    },
  };
}
