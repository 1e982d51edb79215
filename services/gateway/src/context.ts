import type { Caller, Permission } from '@lifeboat/service-api';
import { ForbiddenError, UnauthenticatedError, may } from '@lifeboat/service-api';
import type { GatewayLoaders } from './loaders.js';

/** What every resolver receives: the authenticated caller (set from the bearer token). */
export interface GatewayContext {
  caller: Caller;
  /** `exp` of the caller's token (seconds since the epoch), when known. */
  expiresAt?: number;
  /** This request's batching loaders, calling the services as `caller` (made at first use: loadersOf). */
  loaders?: GatewayLoaders;
}

/**
 * The caller, when it may do `permission`: UNAUTHENTICATED without a caller, FORBIDDEN without
 * the permission. Services check again; this check answers early and names what is missing.
 */
export function authorize(context: Partial<GatewayContext> | undefined, permission: Permission, action: string): Caller {
  const caller = context?.caller;
  if (!caller) throw new UnauthenticatedError('Authentication required');
  if (!may(caller.roles, permission)) throw new ForbiddenError(`${action} needs the ${permission} permission`);
  return caller;
}
