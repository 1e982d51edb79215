/**
 * The role -> permission table of packages/service-api/src/roles.ts, copied because the console
 * may import nothing from the Node packages. Hiding a control is a courtesy: the server refuses anyway.
 */
export type Permission = 'read' | 'drill:run' | 'drill:approve' | 'plan:write' | 'recovery:run' | 'recovery:approve' | 'admin';

export const ROLES = ['Viewer', 'Operator', 'PlanAuthor', 'RecoveryManager', 'Admin'] as const;
export type Role = (typeof ROLES)[number];

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

export function may(roles: readonly string[], permission: Permission): boolean {
  return roles.some((role) => isRole(role) && GRANTS[role].includes(permission));
}
