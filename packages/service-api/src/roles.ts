/** Roles of ARCHITECTURE §5, carried as `cognito:groups`. */
export const ROLES = ['Viewer', 'Operator', 'PlanAuthor', 'RecoveryManager', 'Admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a role may do. `service` is held by no role: only Lifeboat's services, calling each other
 * as `systemCaller(<service>)` (a `service:` caller id), have it. Its operations are for services
 * only (they may answer what no user may read, such as an external id) and are never reachable
 * through the gateway, whose callers are the subjects of verified tokens.
 */
export type Permission =
  | 'read'
  | 'drill:run'
  | 'drill:approve'
  | 'plan:write'
  | 'recovery:run'
  | 'recovery:approve'
  | 'admin'
  | 'service';

const GRANTS: Record<Role, readonly Permission[]> = {
  Viewer: ['read'],
  Operator: ['read', 'drill:run', 'drill:approve'],
  PlanAuthor: ['read', 'plan:write'],
  RecoveryManager: ['read', 'drill:run', 'drill:approve', 'recovery:run', 'recovery:approve'],
  Admin: ['read', 'drill:run', 'drill:approve', 'plan:write', 'recovery:run', 'recovery:approve', 'admin'],
};

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) if (isRole(role)) for (const p of GRANTS[role]) granted.add(p);
  return granted;
}

export function may(roles: readonly string[], permission: Permission): boolean {
  return permissionsOf(roles).has(permission);
}

/** The caller id prefix of Lifeboat's services calling each other (`systemCaller`). */
export const SERVICE_CALLER_PREFIX = 'service:';

/** Whether a caller is one of Lifeboat's services (`systemCaller(<service>)`), not a user. */
export function isServiceCaller(caller: { userId: string }): boolean {
  return caller.userId.startsWith(SERVICE_CALLER_PREFIX) && caller.userId.length > SERVICE_CALLER_PREFIX.length;
}

/** What a caller may do: the permissions of its roles, and `service` when it is one of Lifeboat's services. */
export function callerMay(caller: { userId: string; roles: readonly string[] }, permission: Permission): boolean {
  return permission === 'service' ? isServiceCaller(caller) : may(caller.roles, permission);
}
