import { describe, expect, it } from '@jest/globals';
import type { FieldProblem, ProtectionGroupView } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import { newRecoveryPlanVersion, parseRecoveryPlanInput, recoveryPlanProblems, resolvePlan } from '../src/domain/recovery-plan.js';
import { byId, group, server, serverId } from './support/fixtures.js';

const db = group('pg-db', 'Databases', [1, 2]);
const app = group('pg-app', 'App servers', [3]);
const web = group('pg-web', 'Web servers', [4, 5]);
const batch = group('pg-batch', 'Batch', [6]);
const GROUPS = byId([db, app, web, batch], (g) => g.protectionGroupId);

type WaveSpec = { name: string; dependsOn?: string[]; groups?: string[]; launchOrder?: string };
const wave = (name: string, dependsOn: string[] = [], groups = [`pg-${name.toLowerCase()}`]): WaveSpec => ({ name, dependsOn, groups });
const planOf = (waves: WaveSpec[], name = 'Shop') => ({
  name,
  waves: waves.map(({ groups, ...rest }) => ({ ...rest, protectionGroupIds: groups ?? [] })),
});

/** given the protection groups / when a plan with these waves is validated / then these problems. */
function given(groups: ReadonlyMap<string, ProtectionGroupView> = GROUPS) {
  return {
    whenValidated: (input: unknown) => ({
      thenValid: () => expect(recoveryPlanProblems(input, groups)).toEqual([]),
      thenProblems: (expected: FieldProblem[]) => expect(recoveryPlanProblems(input, groups)).toEqual(expected),
      thenProblemsInclude: (expected: Partial<FieldProblem>[]) => {
        const problems = recoveryPlanProblems(input, groups);
        for (const problem of expected) expect(problems).toContainEqual(expect.objectContaining(problem));
      },
    }),
  };
}

describe('recovery plan validation: the waves form a DAG', () => {
  it('accepts a chain of waves', () => {
    given().whenValidated(planOf([wave('DB'), wave('App', ['DB']), wave('Web', ['App'])])).thenValid();
  });

  it('accepts a diamond: two waves after one, and one after both', () => {
    given().whenValidated(planOf([wave('DB'), wave('App', ['DB']), wave('Batch', ['DB']), wave('Web', ['App', 'Batch'])])).thenValid();
  });

  it('accepts a dependency on a wave further down the list, whatever its case', () => {
    given().whenValidated(planOf([wave('Web', ['app']), wave('App', ['DB']), wave('DB')])).thenValid();
  });

  it('refuses a wave that depends on itself, naming the cycle', () => {
    given().whenValidated(planOf([wave('DB', ['DB'])])).thenProblems([{ field: 'waves[0].dependsOn[0]', message: "'DB' depends on itself (DB → DB)" }]);
  });

  it('refuses two waves that depend on each other, naming the cycle', () => {
    given()
      .whenValidated(planOf([wave('DB', ['App']), wave('App', ['DB'])]))
      .thenProblems([{ field: 'waves[1].dependsOn[0]', message: 'waves depend on each other in a cycle: DB → App → DB' }]);
  });

  it('refuses a longer cycle hanging off a diamond, naming only the waves in it', () => {
    given()
      .whenValidated(planOf([wave('DB', ['Web']), wave('App', ['DB']), wave('Batch', ['DB']), wave('Web', ['App', 'Batch'])]))
      .thenProblems([
        { field: 'waves[1].dependsOn[0]', message: 'waves depend on each other in a cycle: DB → Web → App → DB' },
        { field: 'waves[2].dependsOn[0]', message: 'waves depend on each other in a cycle: DB → Web → Batch → DB' },
      ]);
  });

  it('refuses a dependency on a wave the plan does not have, and one listed twice', () => {
    given()
      .whenValidated(planOf([wave('DB'), wave('App', ['DB', 'Storage', 'db'])]))
      .thenProblems([
        { field: 'waves[1].dependsOn[1]', message: "no wave of this plan is named 'Storage'" },
        { field: 'waves[1].dependsOn[2]', message: "'db' is listed twice" },
      ]);
  });
});

describe('recovery plan validation: waves and their servers', () => {
  it('refuses two waves of the same name, whatever its case', () => {
    given().whenValidated(planOf([wave('DB'), wave('db', [], ['pg-app'])])).thenProblems([{ field: 'waves[1].name', message: "'db' is already the name of waves[0]" }]);
  });

  it('refuses an empty wave and a plan without waves', () => {
    given().whenValidated(planOf([wave('DB'), wave('Empty', [], [])])).thenProblems([{ field: 'waves[1].protectionGroupIds', message: 'a wave needs at least one protection group' }]);
    given().whenValidated(planOf([])).thenProblems([{ field: 'waves', message: 'must list at least one wave' }]);
  });

  it('refuses a protection group that does not exist', () => {
    given().whenValidated(planOf([wave('DB', [], ['pg-db', 'pg-gone'])])).thenProblems([{ field: 'waves[0].protectionGroupIds[1]', message: 'protection group pg-gone does not exist' }]);
  });

  it('refuses the same protection group in two waves: its servers would be in both', () => {
    given()
      .whenValidated(planOf([wave('DB'), wave('Again', [], ['pg-app', 'pg-db'])]))
      .thenProblems([{ field: 'waves[1].protectionGroupIds[1]', message: "protection group 'Databases' is already in wave 'DB': a server can be in one wave only" }]);
  });

  it('refuses a server in two waves, naming the servers and the wave that has them', () => {
    const overlapping = group('pg-overlap', 'Overlap', [2, 7]);
    const groups = byId([db, overlapping], (g) => g.protectionGroupId);
    given(groups)
      .whenValidated(planOf([wave('DB'), wave('Other', [], ['pg-overlap'])]))
      .thenProblems([{ field: 'waves[1].protectionGroupIds[0]', message: `${serverId(2)} of protection group 'Overlap' is already in wave 'DB': a server can be in one wave only` }]);
  });

  it('reports every problem at once, each at its field', () => {
    given()
      .whenValidated({
        name: ' ',
        waves: [
          { name: 'DB', dependsOn: ['App'], protectionGroupIds: ['pg-db'], launchOrder: 'RANDOM' },
          { name: 'App', dependsOn: ['DB', 'Cache'], protectionGroupIds: [] },
          { name: 'db', protectionGroupIds: ['pg-nope'] },
          'not a wave',
        ],
      })
      .thenProblems([
        { field: 'name', message: 'is required' },
        { field: 'waves[2].name', message: "'db' is already the name of waves[0]" },
        { field: 'waves[3]', message: 'must be an object with name and protectionGroupIds' },
        { field: 'waves[0].launchOrder', message: 'must be one of PARALLEL, SEQUENTIAL' },
        { field: 'waves[1].dependsOn[1]', message: "no wave of this plan is named 'Cache'" },
        { field: 'waves[1].protectionGroupIds', message: 'a wave needs at least one protection group' },
        { field: 'waves[2].protectionGroupIds[0]', message: 'protection group pg-nope does not exist' },
        { field: 'waves[1].dependsOn[0]', message: 'waves depend on each other in a cycle: DB → App → DB' },
      ]);
  });

  it('refuses what is not a plan at all', () => {
    given().whenValidated(null).thenProblems([{ field: '', message: 'must be an object with name and waves' }]);
    given().whenValidated({ name: 'x', waves: 'all' }).thenProblemsInclude([{ field: 'waves' }]);
  });

  it('throws one ValidationError carrying every problem', () => {
    const attempt = () => parseRecoveryPlanInput(planOf([wave('DB', ['DB']), wave('Empty', [], [])]), GROUPS);
    expect(attempt).toThrow(ValidationError);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).problems.map((p) => p.field)).toEqual(['waves[1].protectionGroupIds', 'waves[0].dependsOn[0]']);
      expect((error as ValidationError).code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('a new plan version', () => {
  it('gets wave ids, and dependencies by name become dependencies by id', () => {
    const input = parseRecoveryPlanInput(planOf([wave('DB'), wave('App', ['db']), wave('Web', ['App', 'DB'])], '  Shop  '), GROUPS);
    const plan = newRecoveryPlanVersion(input, { planId: 'plan-1', version: 1, waveIds: ['w-db', 'w-app', 'w-web'], createdAt: '2025-06-01T00:00:00.000Z', createdBy: 'paul' });
    expect(plan).toEqual({
      planId: 'plan-1',
      name: 'Shop',
      version: 1,
      createdAt: '2025-06-01T00:00:00.000Z',
      createdBy: 'paul',
      waves: [
        { waveId: 'w-db', name: 'DB', dependsOn: [], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-db'] },
        { waveId: 'w-app', name: 'App', dependsOn: ['w-db'], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-app'] },
        { waveId: 'w-web', name: 'Web', dependsOn: ['w-app', 'w-db'], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-web'] },
      ],
    });
  });
});

describe('resolvePlan', () => {
  const input = parseRecoveryPlanInput(
    { name: 'Shop', waves: [{ name: 'DB', protectionGroupIds: ['pg-db'], launchOrder: 'SEQUENTIAL' }, { name: 'Front', dependsOn: ['DB'], protectionGroupIds: ['pg-web', 'pg-app'] }] },
    GROUPS,
  );
  const plan = newRecoveryPlanVersion(input, { planId: 'plan-1', version: 3, waveIds: ['w-1', 'w-2'], createdAt: '2025-06-01T00:00:00.000Z', createdBy: 'paul' });

  it('lists each wave’s servers in the order of its groups, with hostnames from the inventory, CRITICAL by default', () => {
    const inventory = byId([server(1, { hostname: 'db-1' }), server(2, { hostname: 'db-2' }), server(3), server(4), server(5)], (s) => s.sourceServerId);
    const snapshot = resolvePlan(plan, GROUPS, inventory);
    expect(snapshot).toEqual({
      planId: 'plan-1',
      version: 3,
      name: 'Shop',
      waves: [
        { waveId: 'w-1', name: 'DB', dependsOn: [], launchOrder: 'SEQUENTIAL', servers: [1, 2].map((n) => ({ sourceServerId: serverId(n), accountId: '123456789012', region: 'us-east-1', hostname: `db-${n}`, criticality: 'CRITICAL' })) },
        { waveId: 'w-2', name: 'Front', dependsOn: ['w-1'], launchOrder: 'PARALLEL', servers: [4, 5, 3].map((n) => ({ sourceServerId: serverId(n), accountId: '123456789012', region: 'us-east-1', hostname: `host-${n}`, criticality: 'CRITICAL' })) },
      ],
    });
  });

  it('keeps a server the inventory no longer has, without a hostname', () => {
    const snapshot = resolvePlan(plan, GROUPS, new Map());
    expect(snapshot.waves[0]?.servers[0]).toEqual({ sourceServerId: serverId(1), accountId: '123456789012', region: 'us-east-1', hostname: '', criticality: 'CRITICAL' });
  });

  it('refuses a plan whose group no longer exists', () => {
    const withoutApp = byId([db, web], (g) => g.protectionGroupId);
    expect(() => resolvePlan(plan, withoutApp, new Map())).toThrow('waves[1].protectionGroupIds[1]: protection group pg-app no longer exists');
  });
});
