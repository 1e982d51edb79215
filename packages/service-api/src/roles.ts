/** Roles of ARCHITECTURE §5, carried as `cognito:groups`. */
export const ROLES = ['Viewer', 'Operator', 'PlanAuthor', 'RecoveryManager', 'Admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a role may do. */
export type Permission =
  | 'read'
  | 'drill:run'
  | 'drill:approve'
  | 'plan:write'
  | 'recovery:run'
  | 'recovery:approve'
  | 'admin';

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
