/**
 * The console cannot import the Node packages, so it keeps a copy of the role -> permission table
 * (src/auth/permissions.ts). This test keeps the copy equal to packages/service-api/src/roles.ts.
 */
import { describe, expect, it } from '@jest/globals';
import { ROLES as SERVICE_ROLES, may as serviceMay } from '@lifeboat/service-api';
import type { Permission as ServicePermission } from '@lifeboat/service-api';
import { ROLES, may } from '../src/auth/permissions.js';
import type { Permission } from '../src/auth/permissions.js';

const PERMISSIONS: Permission[] = ['read', 'drill:run', 'drill:approve', 'plan:write', 'recovery:run', 'recovery:approve', 'admin'];

describe('the console role table', () => {
  it('names the roles of the services, in the same order', () => {
    expect([...ROLES]).toEqual([...SERVICE_ROLES]);
  });

  it.each([...SERVICE_ROLES])('grants %s exactly what the services grant', (role) => {
    for (const permission of PERMISSIONS) {
      expect({ role, permission, granted: may([role], permission) }).toEqual({ role, permission, granted: serviceMay([role], permission satisfies ServicePermission) });
    }
  });

  it('grants the union of several roles and nothing for unknown ones', () => {
    // given a PlanAuthor who is also an Operator
    const roles = ['PlanAuthor', 'Operator'];
    // then both roles' permissions, and no recovery
    expect(PERMISSIONS.filter((p) => may(roles, p))).toEqual(['read', 'drill:run', 'drill:approve', 'plan:write']);
    expect(PERMISSIONS.filter((p) => may(['Superuser'], p))).toEqual([]);
    expect(PERMISSIONS.filter((p) => may([], p))).toEqual([]);
  });
});
