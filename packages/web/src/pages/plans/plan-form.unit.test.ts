import { describe, expect, it } from '@jest/globals';
import type { RecoveryPlan } from './api.js';
import { dependenciesOf, dependentsOf, emptyPlanForm, emptyStep, emptyWave, moveItem, planFormOf, serversInOrder, toPlanInput, waveIndexOf } from './plan-form.js';

const S = (n: number): string => `s-${String(n).padStart(17, '0')}`;
const members: Record<string, string[]> = { 'pg-db': [S(1), S(2)], 'pg-app': [S(3), S(4)], 'pg-web': [S(5)] };
const membersOf = (id: string): string[] => members[id] ?? [];

describe('toPlanInput', () => {
  it('names dependencies by wave name, so renaming a wave keeps them', () => {
    // given Database -> App, then Database renamed
    const form = emptyPlanForm();
    const db = { ...emptyWave('Database'), protectionGroupIds: ['pg-db'] };
    const app = { ...emptyWave('App', [db.key]), protectionGroupIds: ['pg-app'] };
    form.name = ' Orders ';
    form.waves = [{ ...db, name: 'Databases' }, app];
    // when the input is made
    const { input, problems } = toPlanInput(form, membersOf);
    // then App depends on the new name
    expect(problems).toEqual([]);
    expect(input).toEqual({
      name: 'Orders',
      waves: [
        { name: 'Databases', dependsOn: [], launchOrder: 'PARALLEL', errorPolicy: 'STOP', protectionGroupIds: ['pg-db'], sourceServerIds: [], servers: [], preSteps: [], postSteps: [] },
        { name: 'App', dependsOn: ['Databases'], launchOrder: 'PARALLEL', errorPolicy: 'STOP', protectionGroupIds: ['pg-app'], sourceServerIds: [], servers: [], preSteps: [], postSteps: [] },
      ],
      settings: { requireSecondApprover: false, notificationTargets: [] },
    });
  });

  it('sends the boot order of a SEQUENTIAL wave as 1, 2, ... with delays and criticality', () => {
    // given a sequential wave whose second server was dragged first, with a delay and an optional server
    const form = emptyPlanForm();
    form.name = 'Orders';
    form.waves = [{ ...emptyWave('App'), launchOrder: 'SEQUENTIAL', protectionGroupIds: ['pg-app'], bootOrder: [S(4)], delays: { [S(3)]: '30' }, optionalServers: [S(3)] }];
    // when the input is made
    const { input } = toPlanInput(form, membersOf);
    // then the servers carry their positions
    const wave = (input.waves as { servers: unknown[] }[])[0];
    expect(wave?.servers).toEqual([
      { sourceServerId: S(4), bootOrder: 1 },
      { sourceServerId: S(3), criticality: 'OPTIONAL', bootOrder: 2, delaySeconds: 30 },
    ]);
  });

  it('sends no boot order for a PARALLEL wave, only criticality', () => {
    const form = emptyPlanForm();
    form.name = 'Orders';
    form.waves = [{ ...emptyWave('App'), protectionGroupIds: ['pg-app'], bootOrder: [S(4)], delays: { [S(3)]: '30' }, optionalServers: [S(3)] }];
    const { input } = toPlanInput(form, membersOf);
    expect((input.waves as { servers: unknown[] }[])[0]?.servers).toEqual([{ sourceServerId: S(3), criticality: 'OPTIONAL' }]);
  });

  it('sends only the fields of each step type, and reports what is not a number or JSON at its path', () => {
    // given a wave with a WAIT step, an APPROVAL step, and an SSM step whose parameters are not JSON
    const form = emptyPlanForm();
    form.name = 'Orders';
    const wait = { ...emptyStep('WAIT'), durationSeconds: 'soon' };
    const approval = { ...emptyStep('APPROVAL'), approverRole: 'Operator' as const, documentName: 'left over' };
    const ssm = { ...emptyStep('SSM_DOCUMENT'), documentName: 'AWS-RunShellScript', parameters: '{ nope' };
    form.waves = [{ ...emptyWave('Web'), protectionGroupIds: ['pg-web'], preSteps: [wait, approval], postSteps: [ssm] }];
    // when the input is made
    const { input, problems } = toPlanInput(form, membersOf);
    // then each step carries its own fields and the problems name their fields
    const wave = (input.waves as Record<string, unknown>[])[0];
    expect(wave?.preSteps).toEqual([{ type: 'WAIT' }, { type: 'APPROVAL', prompt: 'Continue with the next wave?', approverRole: 'Operator' }]);
    expect(wave?.postSteps).toEqual([{ type: 'SSM_DOCUMENT', documentName: 'AWS-RunShellScript' }]);
    expect(problems).toEqual([
      { field: 'waves[0].preSteps[0].durationSeconds', message: 'must be a whole number' },
      { field: 'waves[0].postSteps[0].parameters', message: 'must be valid JSON' },
    ]);
  });

  it('sends drill settings only when they are set', () => {
    const form = { ...emptyPlanForm(), name: 'Orders', rtoTargetMinutes: '60', drillEnabled: true, drillSecurityGroupIds: 'sg-1, sg-2', drillAutoCleanupAfterHours: '4' };
    const { input } = toPlanInput(form, membersOf);
    expect(input.settings).toEqual({ rtoTargetMinutes: 60, requireSecondApprover: false, notificationTargets: [], drill: { networkIsolation: 'ISOLATED_VPC', securityGroupIds: ['sg-1', 'sg-2'], autoCleanupAfterHours: 4 } });
  });
});

describe('planFormOf', () => {
  it('reads a saved version back into the same input', () => {
    // given a saved plan with a sequential wave and steps
    const plan: RecoveryPlan = {
      id: 'plan-1', name: 'Orders', description: 'three tiers', version: 3, changeSummary: [], createdAt: '2025-01-01T00:00:00Z', createdBy: 'admin',
      settings: { rtoTargetMinutes: 90, drill: null, notificationTargets: [{ type: 'EMAIL', address: 'ops@example.com' }], requireSecondApprover: true },
      waves: [
        { id: 'w-db', name: 'Database', dependsOn: [], launchOrder: 'SEQUENTIAL', protectionGroupIds: ['pg-db'], sourceServerIds: [], errorPolicy: 'STOP',
          servers: [{ sourceServerId: S(2), criticality: 'CRITICAL', bootOrder: 1, delaySeconds: null }, { sourceServerId: S(1), criticality: 'OPTIONAL', bootOrder: 2, delaySeconds: 10 }], preSteps: [], postSteps: [] },
        { id: 'w-app', name: 'App', dependsOn: ['w-db'], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-app'], sourceServerIds: [], errorPolicy: 'CONTINUE', servers: [],
          preSteps: [{ id: 'w-app-pre-1', type: 'WAIT', name: 'Wait', durationSeconds: 30, prompt: null, approverRole: null, timeoutSeconds: null, onTimeout: null, documentName: null, documentVersion: null, parameters: null, targetServerIds: null, onFailure: null, functionArn: null, payload: null }], postSteps: [] },
      ],
    };
    // when it is read and sent again
    const form = planFormOf(plan);
    const { input } = toPlanInput(form, membersOf);
    // then the definition is the same
    expect(input).toEqual({
      name: 'Orders',
      description: 'three tiers',
      settings: { rtoTargetMinutes: 90, requireSecondApprover: true, notificationTargets: [{ type: 'EMAIL', address: 'ops@example.com' }] },
      waves: [
        { name: 'Database', dependsOn: [], launchOrder: 'SEQUENTIAL', errorPolicy: 'STOP', protectionGroupIds: ['pg-db'], sourceServerIds: [], preSteps: [], postSteps: [],
          servers: [{ sourceServerId: S(2), bootOrder: 1 }, { sourceServerId: S(1), criticality: 'OPTIONAL', bootOrder: 2, delaySeconds: 10 }] },
        { name: 'App', dependsOn: ['Database'], launchOrder: 'PARALLEL', errorPolicy: 'CONTINUE', protectionGroupIds: ['pg-app'], sourceServerIds: [], servers: [], postSteps: [],
          preSteps: [{ type: 'WAIT', name: 'Wait', durationSeconds: 30 }] },
      ],
    });
  });
});

describe('helpers', () => {
  it('orders a wave by its boot order, then the rest as its groups list them, without servers that left', () => {
    expect(serversInOrder({ protectionGroupIds: ['pg-db', 'pg-web'], sourceServerIds: [S(9)], bootOrder: [S(5), S(8), S(2)] }, membersOf)).toEqual([S(5), S(2), S(1), S(9)]);
  });

  it('moves an item, and leaves the list alone for a move out of range', () => {
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 3)).toEqual(['a', 'b', 'c']);
  });

  it('finds the wave of a finding and the waves that depend on one', () => {
    expect(waveIndexOf('waves[12].dependsOn[0]')).toBe(12);
    expect(waveIndexOf('name')).toBeUndefined();
    const a = emptyWave('a');
    const b = emptyWave('b', [a.key]);
    const c = emptyWave('c', [b.key]);
    expect(dependentsOf([a, b, c], a.key)).toEqual(new Set([b.key, c.key]));
  });

  it('finds the waves a wave waits for, directly or not, and stops at a cycle', () => {
    // given a diamond: d after b and c, both after a; and e on its own
    const a = emptyWave('a');
    const b = emptyWave('b', [a.key]);
    const c = emptyWave('c', [a.key]);
    const d = emptyWave('d', [b.key, c.key]);
    const e = emptyWave('e');
    // then d waits for b, c and a; a and e for none
    expect(dependenciesOf([a, b, c, d, e], d.key)).toEqual(new Set([a.key, b.key, c.key]));
    expect(dependenciesOf([a, b, c, d, e], a.key)).toEqual(new Set());
    expect(dependenciesOf([a, b, c, d, e], e.key)).toEqual(new Set());
    // and a cycle (the builder refuses to save one) does not loop
    const x = emptyWave('x');
    const y = emptyWave('y', [x.key]);
    x.dependsOn = [y.key];
    expect(dependenciesOf([x, y], x.key)).toEqual(new Set([y.key]));
  });
});
