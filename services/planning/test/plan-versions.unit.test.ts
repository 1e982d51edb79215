import { describe, expect, it } from '@jest/globals';
import { diffPlans } from '../src/domain/plan-diff.js';
import type { RecoveryPlan } from '../src/domain/recovery-plan.js';
import { newRecoveryPlanVersion, parseRecoveryPlanInput } from '../src/domain/recovery-plan.js';
import { byId, group, sequentialIds, serverId } from './support/fixtures.js';

const GROUPS = byId([group('pg-db', 'Databases', [1, 2]), group('pg-app', 'App', [3]), group('pg-web', 'Web', [4])], (g) => g.protectionGroupId);

/** given a first version / when these versions follow / then each says what changed. */
function given(first: unknown) {
  const newId = sequentialIds();
  const versions: RecoveryPlan[] = [newRecoveryPlanVersion(parseRecoveryPlanInput(first, GROUPS), { planId: 'plan-1', version: 1, newId, createdAt: 't1', createdBy: 'paul' })];
  const api = {
    then: (input: unknown) => {
      const previous = versions[versions.length - 1] as RecoveryPlan;
      versions.push(newRecoveryPlanVersion(parseRecoveryPlanInput(input, GROUPS), { planId: 'plan-1', version: previous.version + 1, previous, newId, createdAt: `t${previous.version + 1}`, createdBy: 'petra' }));
      return api;
    },
    versions,
  };
  return api;
}

const base = {
  name: 'Shop',
  waves: [
    { name: 'DB', protectionGroupIds: ['pg-db'] },
    { name: 'App', dependsOn: ['DB'], protectionGroupIds: ['pg-app'] },
  ],
};

describe('plan versions: change summaries and diffs', () => {
  it('summarizes a first version as created, and an unchanged one as no changes', () => {
    const { versions } = given(base).then(base);
    expect(versions.map((v) => v.changeSummary)).toEqual([['created'], ['no changes']]);
  });

  it('names every change: plan name, settings, waves added, removed and changed', () => {
    const { versions } = given(base).then({
      name: 'Shop v2',
      description: 'with a web tier',
      settings: { rtoTargetMinutes: 30 },
      waves: [
        { name: 'DB', protectionGroupIds: ['pg-db'], launchOrder: 'SEQUENTIAL', errorPolicy: 'CONTINUE', servers: [{ sourceServerId: serverId(2), bootOrder: 1 }], postSteps: [{ type: 'WAIT', durationSeconds: 60 }] },
        { name: 'Web', dependsOn: ['DB'], protectionGroupIds: ['pg-web', 'pg-app'] },
      ],
    });
    expect(versions[1]?.changeSummary).toEqual([
      "renamed 'Shop' → 'Shop v2'",
      'description changed',
      'settings.rtoTargetMinutes unset → 30',
      "wave 'Web' added",
      "wave 'App' removed",
      "wave 'DB': launch order PARALLEL → SEQUENTIAL",
      "wave 'DB': error policy STOP → CONTINUE",
      `wave 'DB': server settings of ${serverId(2)}`,
      "wave 'DB': steps after: WAIT 'Wait 1 min' (was none)",
    ]);
  });

  it('diffs any two versions, in structure', () => {
    const { versions } = given(base)
      .then({ ...base, waves: [base.waves[0], { name: 'App', dependsOn: ['DB'], protectionGroupIds: ['pg-app', 'pg-web'] }] })
      .then({ ...base, waves: [{ name: 'App', protectionGroupIds: ['pg-app', 'pg-web'] }, { name: 'DB', dependsOn: ['App'], protectionGroupIds: ['pg-db'] }] });
    const [v1, , v3] = versions as [RecoveryPlan, RecoveryPlan, RecoveryPlan];
    const diff = diffPlans(v1, v3);
    expect(diff).toEqual({
      planId: 'plan-1',
      fromVersion: 1,
      toVersion: 3,
      summary: ["wave 'App': depends on nothing (was 'DB')", "wave 'App': protection groups +pg-web", "wave 'DB': depends on 'App' (was nothing)", 'waves reordered'],
      waves: {
        added: [],
        removed: [],
        changed: [
          { waveId: 'wave-2', name: 'App', changes: ["depends on nothing (was 'DB')", 'protection groups +pg-web'] },
          { waveId: 'wave-1', name: 'DB', changes: ["depends on 'App' (was nothing)"] },
        ],
      },
      planChanges: [],
    });
    expect(diffPlans(v3, v1).summary).toContain("wave 'App': protection groups -pg-web");
  });
});
