import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthOptions, Jwks, UserDirectory } from '@lifeboat/gateway';
import type { LocalIdentityProvider } from './provider.js';

/** What the local gateway takes from the local identity provider. */
export interface GatewayIdentity {
  /** Tokens verified with the provider's keys, handed over in memory (no JWKS fetch). */
  auth: AuthOptions;
  /** POST /auth/login and the JWKS. */
  extraRoutes: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** The provider is the directory behind GraphQL `users`, `createUser`, `changePassword`, ... */
  users: UserDirectory;
}

/**
 * The one wiring of the identity provider into the gateway, used by the local stack (and by the
 * tests that check it): `startLocalGateway({ services: { ...services, users }, auth, extraRoutes })`.
 */
export function gatewayIdentityOf(identity: LocalIdentityProvider): GatewayIdentity {
  return {
    auth: { provider: 'local', issuer: identity.issuer, audience: identity.clientId, jwks: identity.jwks() as Jwks },
    extraRoutes: (req, res) => identity.route(req, res),
    users: identity,
  };
}
