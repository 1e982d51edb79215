import { describe, expect, it } from '@jest/globals';
import type { FieldProblem, PlanFinding, ProtectionGroupView } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import type { InventoryServer } from '../src/domain/inventory.js';
import type { PlanContext } from '../src/domain/recovery-plan.js';
import { checkRecoveryPlan, newRecoveryPlanVersion, parseRecoveryPlanInput, recoveryPlanProblems, resolvePlan } from '../src/domain/recovery-plan.js';
import { byId, group, sequentialIds, server, serverId } from './support/fixtures.js';

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
    given().whenValidated(planOf([wave('DB'), wave('Empty', [], [])])).thenProblems([{ field: 'waves[1].protectionGroupIds', message: 'a wave needs at least one protection group or server' }]);
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
        { field: 'waves[3]', message: 'must be an object with name and protectionGroupIds or sourceServerIds' },
        { field: 'waves[0].launchOrder', message: 'must be one of PARALLEL, SEQUENTIAL' },
        { field: 'waves[1].dependsOn[1]', message: "no wave of this plan is named 'Cache'" },
        { field: 'waves[1].protectionGroupIds', message: 'a wave needs at least one protection group or server' },
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

const INVENTORY = byId([1, 2, 3, 4, 5, 6, 8].map((n) => server(n)), (s) => s.sourceServerId);

/** given groups, inventory and memberships / when a plan is checked / then these findings (with severities). */
function givenSite(context: Partial<PlanContext> = {}) {
  const full: PlanContext = { groups: GROUPS, inventory: INVENTORY, groupOfServer: new Map(), ...context };
  return {
    whenChecked: (input: unknown) => {
      const { findings, definition } = checkRecoveryPlan(input, full);
      return {
        thenFindings: (expected: PlanFinding[]) => expect(findings).toEqual(expected),
        thenFindingsInclude: (expected: Partial<PlanFinding>[]) => {
          for (const finding of expected) expect(findings).toContainEqual(expect.objectContaining(finding));
        },
        thenValid: () => {
          expect(findings.filter((f) => f.severity === 'ERROR')).toEqual([]);
          expect(definition).toBeDefined();
        },
        definition,
      };
    },
  };
}

describe('recovery plan validation: single servers and per-server settings', () => {
  it('accepts a wave of single servers beside a wave of groups', () => {
    givenSite({ groupOfServer: new Map([[serverId(8), 'pg-other']]) })
      .whenChecked({ name: 'Shop', waves: [{ name: 'DB', protectionGroupIds: ['pg-db'] }, { name: 'Tools', dependsOn: ['DB'], sourceServerIds: [serverId(8)] }] })
      .thenValid();
  });

  it('refuses unknown servers, a server already in a wave through its group, and settings of servers the wave does not have', () => {
    givenSite()
      .whenChecked({
        name: 'Shop',
        waves: [
          { name: 'DB', protectionGroupIds: ['pg-db'], sourceServerIds: [serverId(2), serverId(99)], servers: [{ sourceServerId: serverId(3), criticality: 'OPTIONAL' }] },
          { name: 'App', sourceServerIds: [serverId(1)] },
        ],
      })
      .thenFindingsInclude([
        { severity: 'ERROR', code: 'DUPLICATE_SERVER', field: 'waves[0].sourceServerIds[0]', message: `${serverId(2)} is already in this wave through protection group 'Databases': a server can be in one wave only` },
        { severity: 'ERROR', code: 'UNKNOWN_SERVER', field: 'waves[0].sourceServerIds[1]', message: `${serverId(99)} is not in the inventory` },
        { severity: 'ERROR', code: 'SERVER_NOT_IN_WAVE', field: 'waves[0].servers[0].sourceServerId', message: `${serverId(3)} is in no protection group or server list of this wave` },
        { severity: 'ERROR', code: 'DUPLICATE_SERVER', field: 'waves[1].sourceServerIds[0]', message: `${serverId(1)} is already in wave 'DB' through protection group 'Databases': a server can be in one wave only` },
      ]);
  });

  it('warns about a single server in no protection group, and boot order in a PARALLEL wave', () => {
    givenSite()
      .whenChecked({ name: 'Shop', waves: [{ name: 'Tools', sourceServerIds: [serverId(8)], servers: [{ sourceServerId: serverId(8), bootOrder: 1 }] }] })
      .thenFindings([
        { severity: 'WARNING', code: 'UNGROUPED_SERVER', field: 'waves[0].sourceServerIds[0]', message: `${serverId(8)} is in no protection group: it launches with the launch settings DRS has for it` },
        { severity: 'WARNING', code: 'BOOT_ORDER_IGNORED', field: 'waves[0].servers[0]', message: 'bootOrder and delaySeconds only apply to a SEQUENTIAL wave: this wave is PARALLEL' },
      ]);
  });

  it('refuses bad criticality, boot order and delay, and a bad error policy', () => {
    givenSite()
      .whenChecked({ name: 'Shop', waves: [{ name: 'DB', protectionGroupIds: ['pg-db'], launchOrder: 'SEQUENTIAL', errorPolicy: 'IGNORE', servers: [{ sourceServerId: serverId(1), criticality: 'MAYBE', bootOrder: 0, delaySeconds: 7200 }] }] })
      .thenFindings([
        { severity: 'ERROR', code: 'INVALID', field: 'waves[0].errorPolicy', message: 'must be one of STOP, CONTINUE' },
        { severity: 'ERROR', code: 'INVALID', field: 'waves[0].servers[0].criticality', message: 'must be one of CRITICAL, OPTIONAL' },
        { severity: 'ERROR', code: 'INVALID', field: 'waves[0].servers[0].bootOrder', message: 'must be a whole number from 1 to 10000' },
        { severity: 'ERROR', code: 'INVALID', field: 'waves[0].servers[0].delaySeconds', message: 'must be a whole number from 0 to 3600' },
      ]);
  });
});

describe('recovery plan validation: steps before and after a wave', () => {
  const lambdaArn = 'arn:aws:lambda:us-east-1:123456789012:function:drain-traffic';

  it('accepts each kind of step, with defaults filled in', () => {
    const { definition } = givenSite().whenChecked({
      name: 'Shop',
      waves: [
        { name: 'DB', protectionGroupIds: ['pg-db'], postSteps: [{ type: 'SSM_DOCUMENT', documentName: 'AWS-RunShellScript', parameters: { commands: ['systemctl start postgresql'] } }] },
        {
          name: 'App',
          dependsOn: ['DB'],
          protectionGroupIds: ['pg-app'],
          preSteps: [
            { type: 'WAIT', durationSeconds: 300 },
            { type: 'APPROVAL', prompt: 'Is the database consistent?', approverRole: 'RecoveryManager', timeoutSeconds: 3600, onTimeout: 'CONTINUE' },
            { type: 'SSM_DOCUMENT', name: 'Check replication', documentName: 'Lifeboat-CheckDb', targetServerIds: [serverId(1)], onFailure: 'CONTINUE' },
          ],
          postSteps: [{ type: 'LAMBDA', functionArn: lambdaArn, payload: { pool: 'blue' } }],
        },
      ],
    });
    expect(definition?.waves[0]?.postSteps).toEqual([{ type: 'SSM_DOCUMENT', name: 'AWS-RunShellScript', documentName: 'AWS-RunShellScript', documentVersion: '$DEFAULT', parameters: { commands: ['systemctl start postgresql'] }, targetServerIds: [], timeoutSeconds: 3600, onFailure: 'FAIL' }]);
    expect(definition?.waves[1]?.preSteps).toEqual([
      { type: 'WAIT', name: 'Wait 5 min', durationSeconds: 300 },
      { type: 'APPROVAL', name: 'Approval', prompt: 'Is the database consistent?', approverRole: 'RecoveryManager', timeoutSeconds: 3600, onTimeout: 'CONTINUE' },
      { type: 'SSM_DOCUMENT', name: 'Check replication', documentName: 'Lifeboat-CheckDb', documentVersion: '$DEFAULT', parameters: {}, targetServerIds: [serverId(1)], timeoutSeconds: 3600, onFailure: 'CONTINUE' },
    ]);
    expect(definition?.waves[1]?.postSteps).toEqual([{ type: 'LAMBDA', name: 'drain-traffic', functionArn: lambdaArn, payload: { pool: 'blue' }, timeoutSeconds: 300, onFailure: 'FAIL' }]);
  });

  it('refuses bad steps, and SSM targets not recovered when the step runs', () => {
    givenSite()
      .whenChecked({
        name: 'Shop',
        waves: [
          { name: 'DB', protectionGroupIds: ['pg-db'], preSteps: [{ type: 'SSM_DOCUMENT', documentName: 'Lifeboat-Prepare' }, { type: 'SLEEP' }, { type: 'WAIT', durationSeconds: 0, prompt: 'x' }] },
          {
            name: 'App',
            dependsOn: ['DB'],
            protectionGroupIds: ['pg-app'],
            preSteps: [{ type: 'SSM_DOCUMENT', documentName: 'Lifeboat-Prepare', targetServerIds: [serverId(3)] }],
            postSteps: [{ type: 'APPROVAL', approverRole: 'Viewer', timeoutSeconds: 10 }, { type: 'LAMBDA', functionArn: 'drain', timeoutSeconds: 901 }, { type: 'SSM_DOCUMENT', documentName: 'Lifeboat-Check', targetServerIds: [serverId(4)] }],
          },
          { name: 'Web', protectionGroupIds: ['pg-web'] },
        ],
      })
      .thenFindings([
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[0].preSteps[0].targetServerIds', message: 'a step before a wave runs on servers recovered by the waves it depends on: name them' },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[0].preSteps[1].type', message: 'must be one of WAIT, APPROVAL, SSM_DOCUMENT, LAMBDA' },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[0].preSteps[2].prompt', message: 'is not a field of a WAIT step (type, name, durationSeconds)' },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[0].preSteps[2].durationSeconds', message: 'must be a whole number from 1 to 86400' },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[1].preSteps[0].targetServerIds[0]', message: `${serverId(3)} is not recovered when the step runs: it is in none of the waves this wave depends on` },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[1].postSteps[0].prompt', message: 'is required' },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[1].postSteps[0].approverRole', message: 'must be one of Operator, PlanAuthor, RecoveryManager, Admin' },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[1].postSteps[0].timeoutSeconds', message: 'must be a whole number from 60 to 604800' },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[1].postSteps[1].functionArn', message: 'must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)' },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[1].postSteps[1].timeoutSeconds', message: 'must be a whole number from 1 to 900' },
        { severity: 'ERROR', code: 'BAD_STEP', field: 'waves[1].postSteps[2].targetServerIds[0]', message: `${serverId(4)} is not recovered when the step runs: it is in none of this wave or the waves it depends on` },
      ]);
  });
});

describe('recovery plan validation: severities', () => {
  it('warns about servers that are not ready or unknown, without refusing the plan', () => {
    const inventory = byId([server(1, { replicationState: 'STALLED', hostname: 'db-1' }), server(3)], (s) => s.sourceServerId);
    givenSite({ inventory })
      .whenChecked(planOf([wave('DB'), wave('App', ['DB'])]))
      .thenFindings([
        { severity: 'WARNING', code: 'SERVER_NOT_READY', field: 'waves[0]', message: `1 server not ready for recovery (replication not CONTINUOUS): ${serverId(1)} (db-1): STALLED` },
        { severity: 'WARNING', code: 'SERVER_NOT_IN_INVENTORY', field: 'waves[0]', message: `1 protection group member unknown to the inventory (removed from DRS?): ${serverId(2)}` },
      ]);
  });

  it('explains how a wave above the DRS quotas is split, and which waves may share them', () => {
    const big = (id: string, from: number, count: number) => group(id, id, Array.from({ length: count }, (_, i) => from + i));
    const groups = byId([big('pg-a', 1000, 95), big('pg-b', 2000, 95), big('pg-c', 3000, 95), big('pg-d', 4000, 95), big('pg-e', 5000, 95), big('pg-f', 6000, 95), big('pg-g', 7000, 95)], (g) => g.protectionGroupId);
    const inventory = byId([...groups.values()].flatMap((g) => g.sourceServerIds.map((id) => ({ ...server(1), sourceServerId: id }))), (s) => s.sourceServerId);
    givenSite({ groups, inventory })
      .whenChecked({ name: 'Big', waves: [{ name: 'Huge', protectionGroupIds: ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e', 'pg-f'] }, { name: 'Side', protectionGroupIds: ['pg-g'] }] })
      .thenFindings([
        { severity: 'INFO', code: 'QUOTA_SPLIT', field: 'waves[0]', message: "wave 'Huge': 570 servers in 123456789012/us-east-1 launch as 6 DRS jobs of at most 100 servers; at most 500 servers are in active jobs per account and region, so they launch in 2 rounds" },
        { severity: 'INFO', code: 'QUOTA_SPLIT', field: 'waves[1]', message: "waves 'Huge' and 'Side' may run at the same time with 665 servers in 123456789012/us-east-1: above 500 servers in active jobs, launches queue" },
      ]);
  });

  it('says which accounts and regions a plan spans', () => {
    const far = group('pg-far', 'Far away', [6], { accountId: '999999999999', region: 'eu-west-1' });
    givenSite({ groups: byId([db, far], (g) => g.protectionGroupId) })
      .whenChecked({ name: 'Site failover', waves: [{ name: 'Here', protectionGroupIds: ['pg-db'] }, { name: 'There', protectionGroupIds: ['pg-far'] }] })
      .thenFindings([{ severity: 'INFO', code: 'MULTI_SITE', field: 'waves', message: 'the plan recovers servers in 2 accounts and regions: 123456789012/us-east-1 (2 servers), 999999999999/eu-west-1 (1 server)' }]);
  });

  it('checks the plan settings', () => {
    givenSite()
      .whenChecked({
        ...planOf([wave('DB')]),
        settings: { rtoTargetMinutes: 0, drill: { networkIsolation: 'CUSTOM_SUBNET' }, notificationTargets: [{ type: 'EMAIL', address: 'ops' }, { type: 'WEBHOOK', address: 'https://hooks.example.com/x' }], requireSecondApprover: 'yes', colour: 'red' },
      })
      .thenFindings([
        { severity: 'ERROR', code: 'INVALID', field: 'settings.colour', message: 'is not a plan setting (rtoTargetMinutes, drill, notificationTargets, requireSecondApprover)' },
        { severity: 'ERROR', code: 'INVALID', field: 'settings.rtoTargetMinutes', message: 'must be a whole number from 1 to 10080' },
        { severity: 'ERROR', code: 'INVALID', field: 'settings.drill.subnetId', message: 'is required with CUSTOM_SUBNET' },
        { severity: 'ERROR', code: 'INVALID', field: 'settings.notificationTargets[0].address', message: 'must be an e-mail address' },
        { severity: 'ERROR', code: 'INVALID', field: 'settings.requireSecondApprover', message: 'must be true or false' },
      ]);
  });
});

describe('a new plan version', () => {
  it('gets wave ids, and dependencies by name become dependencies by id', () => {
    const input = parseRecoveryPlanInput(planOf([wave('DB'), wave('App', ['db']), wave('Web', ['App', 'DB'])], '  Shop  '), GROUPS);
    const plan = newRecoveryPlanVersion(input, { planId: 'plan-1', version: 1, newId: sequentialIds(), createdAt: '2025-06-01T00:00:00.000Z', createdBy: 'paul' });
    const rest = { sourceServerIds: [], servers: [], preSteps: [], postSteps: [], errorPolicy: 'STOP' };
    expect(plan).toEqual({
      planId: 'plan-1',
      name: 'Shop',
      version: 1,
      settings: {},
      changeSummary: ['created'],
      createdAt: '2025-06-01T00:00:00.000Z',
      createdBy: 'paul',
      waves: [
        { waveId: 'wave-1', name: 'DB', dependsOn: [], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-db'], ...rest },
        { waveId: 'wave-2', name: 'App', dependsOn: ['wave-1'], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-app'], ...rest },
        { waveId: 'wave-3', name: 'Web', dependsOn: ['wave-2', 'wave-1'], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-web'], ...rest },
      ],
    });
  });

  it('keeps the ids of waves whose name stays, and says what changed', () => {
    const newId = sequentialIds();
    const v1 = newRecoveryPlanVersion(parseRecoveryPlanInput(planOf([wave('DB'), wave('App', ['DB'])]), GROUPS), { planId: 'plan-1', version: 1, newId, createdAt: 't1', createdBy: 'paul' });
    const next = parseRecoveryPlanInput({ name: 'Shop', waves: [{ name: 'db', protectionGroupIds: ['pg-db'], launchOrder: 'SEQUENTIAL' }, { name: 'Web', dependsOn: ['db'], protectionGroupIds: ['pg-web'] }] }, GROUPS);
    const v2 = newRecoveryPlanVersion(next, { planId: 'plan-1', version: 2, previous: v1, newId, createdAt: 't2', createdBy: 'petra' });
    expect(v2.waves.map((w) => w.waveId)).toEqual(['wave-1', 'wave-3']);
    expect(v2.changeSummary).toEqual(["wave 'Web' added", "wave 'App' removed", "wave 'db': launch order PARALLEL → SEQUENTIAL"]);
  });

  it('gives steps ids that name their wave and place', () => {
    const input = parseRecoveryPlanInput({ name: 'Shop', waves: [{ name: 'DB', protectionGroupIds: ['pg-db'], preSteps: [{ type: 'WAIT', durationSeconds: 60 }], postSteps: [{ type: 'WAIT', durationSeconds: 30 }] }] }, GROUPS);
    const plan = newRecoveryPlanVersion(input, { planId: 'plan-1', version: 1, newId: sequentialIds(), createdAt: 't', createdBy: 'paul' });
    expect(plan.waves[0]?.preSteps.map((s) => s.stepId)).toEqual(['wave-1-pre-1']);
    expect(plan.waves[0]?.postSteps.map((s) => s.stepId)).toEqual(['wave-1-post-1']);
  });
});

describe('resolvePlan', () => {
  const input = parseRecoveryPlanInput(
    { name: 'Shop', waves: [{ name: 'DB', protectionGroupIds: ['pg-db'], launchOrder: 'SEQUENTIAL' }, { name: 'Front', dependsOn: ['DB'], protectionGroupIds: ['pg-web', 'pg-app'] }] },
    GROUPS,
  );
  const plan = newRecoveryPlanVersion(input, { planId: 'plan-1', version: 3, newId: sequentialIds(), createdAt: '2025-06-01T00:00:00.000Z', createdBy: 'paul' });
  const at = (n: number, groupId: string, hostname = `host-${n}`) => ({ sourceServerId: serverId(n), accountId: '123456789012', region: 'us-east-1', hostname, criticality: 'CRITICAL', protectionGroupId: groupId });

  it('lists each wave’s servers in the order of its groups, with hostnames from the inventory, CRITICAL by default', () => {
    const inventory = byId([server(1, { hostname: 'db-1' }), server(2, { hostname: 'db-2' }), server(3), server(4), server(5)], (s) => s.sourceServerId);
    const snapshot = resolvePlan(plan, GROUPS, inventory);
    expect(snapshot).toEqual({
      planId: 'plan-1',
      version: 3,
      name: 'Shop',
      settings: {},
      waves: [
        { waveId: 'wave-1', name: 'DB', dependsOn: [], launchOrder: 'SEQUENTIAL', errorPolicy: 'STOP', preSteps: [], postSteps: [], servers: [at(1, 'pg-db', 'db-1'), at(2, 'pg-db', 'db-2')] },
        { waveId: 'wave-2', name: 'Front', dependsOn: ['wave-1'], launchOrder: 'PARALLEL', errorPolicy: 'STOP', preSteps: [], postSteps: [], servers: [at(4, 'pg-web'), at(5, 'pg-web'), at(3, 'pg-app')] },
      ],
    });
  });

  it('keeps a server the inventory no longer has, without a hostname', () => {
    const snapshot = resolvePlan(plan, GROUPS, new Map());
    expect(snapshot.waves[0]?.servers[0]).toEqual(at(1, 'pg-db', ''));
  });

  it('refuses a plan whose group no longer exists', () => {
    const withoutApp = byId([db, web], (g) => g.protectionGroupId);
    expect(() => resolvePlan(plan, withoutApp, new Map())).toThrow('waves[1].protectionGroupIds[1]: protection group pg-app no longer exists');
  });

  it('orders a SEQUENTIAL wave by boot order, carries criticality, delays, steps, error policy and settings', () => {
    const definition = parseRecoveryPlanInput(
      {
        name: 'Shop',
        settings: { rtoTargetMinutes: 60, requireSecondApprover: true, drill: { networkIsolation: 'ISOLATED_VPC', autoCleanupAfterHours: 4 } },
        waves: [
          {
            name: 'DB',
            launchOrder: 'SEQUENTIAL',
            errorPolicy: 'CONTINUE',
            protectionGroupIds: ['pg-db'],
            sourceServerIds: [serverId(8)],
            servers: [{ sourceServerId: serverId(8), bootOrder: 1 }, { sourceServerId: serverId(2), bootOrder: 2, delaySeconds: 30, criticality: 'OPTIONAL' }],
            postSteps: [{ type: 'SSM_DOCUMENT', documentName: 'Lifeboat-Check' }],
          },
        ],
      },
      GROUPS,
      INVENTORY as ReadonlyMap<string, InventoryServer>,
    );
    const version = newRecoveryPlanVersion(definition, { planId: 'plan-2', version: 1, newId: sequentialIds(), createdAt: 't', createdBy: 'paul' });
    const snapshot = resolvePlan(version, GROUPS, INVENTORY);
    expect(snapshot.settings).toEqual({ rtoTargetMinutes: 60, requireSecondApprover: true, drill: { networkIsolation: 'ISOLATED_VPC', autoCleanupAfterHours: 4 } });
    const [first] = snapshot.waves;
    expect(first?.errorPolicy).toBe('CONTINUE');
    expect(first?.servers.map((s) => [s.sourceServerId, s.bootOrder, s.delaySeconds, s.criticality, s.protectionGroupId])).toEqual([
      [serverId(8), 1, undefined, 'CRITICAL', undefined],
      [serverId(2), 2, 30, 'OPTIONAL', 'pg-db'],
      [serverId(1), undefined, undefined, 'CRITICAL', 'pg-db'],
    ]);
    // A step without targets runs on the wave's servers, resolved now.
    expect(first?.postSteps?.[0]).toMatchObject({ stepId: 'wave-1-post-1', type: 'SSM_DOCUMENT', targetServerIds: [serverId(8), serverId(2), serverId(1)] });
  });

  it('recovers a server once: a single server stays in its own wave when its group appears in another', () => {
    const definition = parseRecoveryPlanInput({ name: 'Shop', waves: [{ name: 'First', sourceServerIds: [serverId(8)] }, { name: 'Then', protectionGroupIds: ['pg-db'] }] }, GROUPS);
    const version = newRecoveryPlanVersion(definition, { planId: 'plan-3', version: 1, newId: sequentialIds(), createdAt: 't', createdBy: 'paul' });
    // Server 8 joined the databases group after the plan was saved (its tags changed).
    const grown = byId([group('pg-db', 'Databases', [1, 2, 8])], (g) => g.protectionGroupId);
    const snapshot = resolvePlan(version, grown, INVENTORY);
    expect(snapshot.waves.map((w) => w.servers.map((s) => s.sourceServerId))).toEqual([[serverId(8)], [serverId(1), serverId(2)]]);
  });
});
