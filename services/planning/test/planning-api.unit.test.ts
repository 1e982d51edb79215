import { describe, expect, it } from '@jest/globals';
import type { ConfigurationExport, ConfigurationImportResult, PlanSnapshot, ProtectionGroupPreview, ProtectionGroupView, RecoveryPlanDiff, RecoveryPlanValidation, RecoveryPlanVersionSummary, SavedRecoveryPlan, SrmImportResult } from '@lifeboat/service-api';
import { createEvent, validateEventDetail } from '@lifeboat/events';
import type { Page } from '../src/domain/listing.js';
import { placeServerInGroups } from '../src/inventory-changes.js';
import { server, serverId } from './support/fixtures.js';
import { planningHarness, viewer } from './support/harness.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const fleet = () => [
  server(1, { tags: { App: 'Orders', Tier: 'Database' }, hostname: 'orders-db-1' }),
  server(2, { tags: { App: 'Orders', Tier: 'Database' }, hostname: 'orders-db-2', replicationState: 'STALLED' }),
  server(3, { tags: { App: 'Orders', Tier: 'App' } }),
  server(4, { tags: { App: 'Orders', Tier: 'Web' } }),
  server(5, { tags: { App: 'Billing', Tier: 'Database' } }),
  server(6, { tags: {} }),
];
const groupInput = (name: string, extra: Record<string, unknown>) => ({ name, accountId: ACCOUNT, region: REGION, ...extra });

describe('protection groups with tag selectors', () => {
  it('resolve the selectors when saved, announce the members, and queue their launch settings', async () => {
    const api = planningHarness(...fleet());
    const group = await api.ok<ProtectionGroupView>(
      'createProtectionGroup',
      groupInput('Orders DB', { tagSelectors: [{ tags: { App: 'Orders', Tier: 'Database' } }], launchDefaults: { copyTags: true }, postLaunchActions: [{ documentName: 'Lifeboat-Check' }] }),
    );
    expect(group).toMatchObject({ protectionGroupId: 'pg-1', sourceServerIds: [serverId(1), serverId(2)], explicitSourceServerIds: [], revision: 1 });
    expect(api.newOutbox()).toEqual([
      { outboxId: expect.any(String), kind: 'event', event: expect.objectContaining({ type: 'ProtectionGroupCreated', data: { protectionGroupId: 'pg-1', name: 'Orders DB', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1), serverId(2)], revision: 1 } }) },
      { outboxId: expect.stringMatching(/^launch-/), kind: 'launch-sync', task: { protectionGroupId: 'pg-1', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1), serverId(2)], actionIds: [] } },
    ]);
  });

  it('refuse a later save whose selector overlaps, naming the servers and the group that has them; a preview shows it first', async () => {
    const api = planningHarness(...fleet());
    await api.ok('createProtectionGroup', groupInput('Orders DB', { tagSelectors: [{ tags: { App: 'Orders', Tier: 'Database' } }] }));
    const preview = await api.ok<ProtectionGroupPreview>('previewProtectionGroup', { accountId: ACCOUNT, region: REGION, tagSelectors: [{ tags: { Tier: 'Database' } }] }, viewer);
    expect(preview).toEqual({
      sourceServerIds: [serverId(5)],
      servers: [{ sourceServerId: serverId(5), hostname: 'host-5', replicationState: 'CONTINUOUS', matchedBy: 'TAGS' }],
      conflicts: [
        { sourceServerId: serverId(1), protectionGroupId: 'pg-1', protectionGroupName: 'Orders DB' },
        { sourceServerId: serverId(2), protectionGroupId: 'pg-1', protectionGroupName: 'Orders DB' },
      ],
    });
    const refused = await api.call('createProtectionGroup', groupInput('All databases', { tagSelectors: [{ tags: { Tier: 'Database' } }] }));
    expect(refused).toEqual({ ok: false, error: { code: 'CONFLICT', field: 'sourceServerIds', message: `A server belongs to at most one protection group: ${serverId(1)}, ${serverId(2)} belong to protection group 'Orders DB' (pg-1)` } });
    expect((await api.store.listGroups()).map((g) => g.name)).toEqual(['Orders DB']);
  });

  it('change on update: members taken and given up, name freed, revision checked', async () => {
    const api = planningHarness(...fleet());
    await api.ok('createProtectionGroup', groupInput('Orders DB', { tagSelectors: [{ tags: { App: 'Orders', Tier: 'Database' } }] }));
    api.newOutbox();
    const updated = await api.ok<ProtectionGroupView>('updateProtectionGroup', { protectionGroupId: 'pg-1', expectedRevision: 1, ...groupInput('Orders front', { sourceServerIds: [serverId(6)], tagSelectors: [{ tags: { Tier: 'Web' } }] }) });
    expect(updated).toMatchObject({ name: 'Orders front', sourceServerIds: [serverId(6), serverId(4)], revision: 2 });
    expect(api.newEvents()).toEqual([{ type: 'ProtectionGroupUpdated', data: { protectionGroupId: 'pg-1', name: 'Orders front', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(6), serverId(4)], revision: 2 } }]);
    expect(await api.store.membershipsOf([1, 2, 4, 6].map(serverId))).toEqual([
      { sourceServerId: serverId(4), protectionGroupId: 'pg-1' },
      { sourceServerId: serverId(6), protectionGroupId: 'pg-1' },
    ]);
    // The old name is free again; a stale revision is refused.
    await api.ok('createProtectionGroup', groupInput('Orders DB', { sourceServerIds: [serverId(1)] }));
    expect(await api.call('updateProtectionGroup', { protectionGroupId: 'pg-1', expectedRevision: 1, ...groupInput('Stale', { sourceServerIds: [serverId(6)] }) })).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'expectedRevision' } });
    // The same definition again changes nothing.
    const again = await api.ok<ProtectionGroupView>('updateProtectionGroup', { protectionGroupId: 'pg-1', ...groupInput('Orders front', { sourceServerIds: [serverId(6)], tagSelectors: [{ tags: { Tier: 'Web' } }] }) });
    expect(again.revision).toBe(2);
  });

  it('follow the inventory: a new matching server joins, one whose tags changed leaves for the group that matches it now', async () => {
    const api = planningHarness(...fleet());
    await api.ok('createProtectionGroup', groupInput('Orders DB', { tagSelectors: [{ tags: { App: 'Orders', Tier: 'Database' } }] }));
    await api.ok('createProtectionGroup', groupInput('Billing DB', { tagSelectors: [{ tags: { App: 'Billing' } }] }));
    api.newOutbox();

    api.inventory.put(server(7, { tags: { App: 'Orders', Tier: 'Database' } }));
    expect(await placeServerInGroups(api.deps, serverId(7), { eventId: '01J00000000000000000000000' })).toEqual(['pg-1']);
    expect(api.newEvents()).toEqual([{ type: 'ProtectionGroupUpdated', data: expect.objectContaining({ protectionGroupId: 'pg-1', sourceServerIds: [serverId(1), serverId(2), serverId(7)], revision: 2 }) }]);

    api.inventory.put(server(7, { tags: { App: 'Billing', Tier: 'Database' } }));
    expect(await placeServerInGroups(api.deps, serverId(7))).toEqual(['pg-1', 'pg-2']);
    const groups = await api.store.getGroups(['pg-1', 'pg-2']);
    expect(groups.get('pg-1')?.sourceServerIds).toEqual([serverId(1), serverId(2)]);
    expect(groups.get('pg-2')?.sourceServerIds).toEqual([serverId(5), serverId(7)]);
    expect(await api.store.membershipsOf([serverId(7)])).toEqual([{ sourceServerId: serverId(7), protectionGroupId: 'pg-2' }]);
    // Delivered again: nothing more changes.
    expect(await placeServerInGroups(api.deps, serverId(7))).toEqual([]);
  });

  it('a server matched while the group was being saved is placed right after the save', async () => {
    const api = planningHarness(...fleet());
    // The server is in the inventory only once the group has read it (the event came in between).
    api.store.beforeCommit = () => {
      api.inventory.put(server(8, { tags: { App: 'Orders', Tier: 'Database' } }));
      api.store.beforeCommit = undefined;
    };
    const group = await api.ok<ProtectionGroupView>('createProtectionGroup', groupInput('Orders DB', { tagSelectors: [{ tags: { App: 'Orders', Tier: 'Database' } }] }));
    expect(group.sourceServerIds).toEqual([serverId(1), serverId(2), serverId(8)]);
  });

  it('cannot be deleted while a plan’s latest version uses them; the refusal names the plans', async () => {
    const api = planningHarness(...fleet());
    await api.ok('createProtectionGroup', groupInput('Orders DB', { sourceServerIds: [serverId(1)] }));
    await api.ok('createProtectionGroup', groupInput('Orders App', { sourceServerIds: [serverId(3)], postLaunchActions: [{ documentName: 'Lifeboat-Check' }] }));
    const plan = await api.ok<SavedRecoveryPlan>('createRecoveryPlan', { name: 'Orders', waves: [{ name: 'DB', protectionGroupIds: ['pg-1'] }, { name: 'App', dependsOn: ['DB'], protectionGroupIds: ['pg-2'] }] });
    expect(api.store.planUsesOf('pg-2')).toBe(1);
    expect(await api.call('deleteProtectionGroup', { protectionGroupId: 'pg-2' })).toEqual({
      ok: false,
      error: { code: 'CONFLICT', field: 'protectionGroupId', message: `Protection group 'Orders App' is used by the latest version of recovery plan 'Orders' (${plan.planId}): remove it from their waves first` },
    });
    await api.ok('updateRecoveryPlan', { planId: plan.planId, name: 'Orders', waves: [{ name: 'DB', protectionGroupIds: ['pg-1'] }] });
    expect(api.store.planUsesOf('pg-2')).toBe(0);
    api.newOutbox();
    expect(await api.ok('deleteProtectionGroup', { protectionGroupId: 'pg-2', expectedRevision: 1 })).toEqual({ protectionGroupId: 'pg-2' });
    expect(api.newOutbox()).toEqual([
      expect.objectContaining({ kind: 'event', event: expect.objectContaining({ type: 'ProtectionGroupDeleted', data: { protectionGroupId: 'pg-2', revision: 2 } }) }),
      // Its post-launch action is taken off the server it protected.
      expect.objectContaining({ kind: 'launch-sync', task: { protectionGroupId: 'pg-2', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(3)], actionIds: ['00000000-0000-4000-8000-000000000001'] } }),
    ]);
    expect(await api.store.membershipsOf([serverId(3)])).toEqual([]);
    expect(await api.call('getProtectionGroup', { protectionGroupId: 'pg-2' }, viewer)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});

describe('recovery plans', () => {
  async function withGroups() {
    const api = planningHarness(...fleet());
    await api.ok('createProtectionGroup', groupInput('DB', { sourceServerIds: [serverId(1), serverId(2)] }));
    await api.ok('createProtectionGroup', groupInput('App', { sourceServerIds: [serverId(3)] }));
    await api.ok('createProtectionGroup', groupInput('Web', { sourceServerIds: [serverId(4)] }));
    api.newOutbox();
    return api;
  }
  const shop = { name: 'Shop', waves: [{ name: 'DB', protectionGroupIds: ['pg-1'], launchOrder: 'SEQUENTIAL' }, { name: 'App', dependsOn: ['DB'], protectionGroupIds: ['pg-2'] }] };

  it('save with their warnings in the answer, and refuse errors', async () => {
    const api = await withGroups();
    const plan = await api.ok<SavedRecoveryPlan>('createRecoveryPlan', shop);
    expect(plan).toMatchObject({ version: 1, changeSummary: ['created'] });
    expect(plan.findings).toEqual([{ severity: 'WARNING', code: 'SERVER_NOT_READY', field: 'waves[0]', message: `1 server not ready for recovery (replication not CONTINUOUS): ${serverId(2)} (orders-db-2): STALLED` }]);
    expect(api.newEvents()).toEqual([{ type: 'RecoveryPlanCreated', data: { planId: plan.planId, version: 1, name: 'Shop', waveCount: 2 } }]);
    const validation = await api.ok<RecoveryPlanValidation>('validateRecoveryPlan', { ...shop, name: 'shop' }, viewer);
    expect(validation).toEqual({ valid: false, findings: [{ severity: 'ERROR', code: 'NAME_TAKEN', field: 'name', message: `a recovery plan named 'Shop' already exists (${plan.planId})` }, plan.findings[0]] });
    expect(await api.ok<RecoveryPlanValidation>('validateRecoveryPlan', { ...shop, planId: plan.planId }, viewer)).toMatchObject({ valid: true });
  });

  it('keep every version: update, list versions, diff, get by version, delete', async () => {
    const api = await withGroups();
    const v1 = await api.ok<SavedRecoveryPlan>('createRecoveryPlan', shop);
    const v2 = await api.ok<SavedRecoveryPlan>('updateRecoveryPlan', { planId: v1.planId, expectedVersion: 1, ...shop, waves: [...shop.waves, { name: 'Web', dependsOn: ['App'], protectionGroupIds: ['pg-3'] }] });
    expect(v2).toMatchObject({ version: 2, changeSummary: ["wave 'Web' added"], createdBy: 'paul' });
    expect(v2.waves.slice(0, 2).map((w) => w.waveId)).toEqual(v1.waves.map((w) => w.waveId));
    expect(await api.call('updateRecoveryPlan', { planId: v1.planId, expectedVersion: 1, ...shop })).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'expectedVersion' } });
    expect(api.newEvents().at(-1)).toEqual({ type: 'RecoveryPlanUpdated', data: { planId: v1.planId, version: 2, previousVersion: 1, name: 'Shop', waveCount: 3, changeSummary: ["wave 'Web' added"] } });

    const diff = await api.ok<RecoveryPlanDiff>('diffRecoveryPlanVersions', { planId: v1.planId, fromVersion: 2, toVersion: 1 }, viewer);
    expect(diff.waves).toEqual({ added: [], removed: ['Web'], changed: [] });

    expect(await api.ok<{ planId: string; version: number }>('deleteRecoveryPlan', { planId: v1.planId })).toEqual({ planId: v1.planId, version: 3 });
    expect(api.newEvents().at(-1)).toEqual({ type: 'RecoveryPlanDeleted', data: { planId: v1.planId, version: 3, name: 'Shop' } });
    expect(await api.ok('listRecoveryPlans', {}, viewer)).toEqual({ items: [], nextToken: null });
    expect(await api.call('getRecoveryPlan', { planId: v1.planId }, viewer)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: `Recovery plan ${v1.planId} was deleted (version 3)` } });
    expect(await api.ok('getRecoveryPlan', { planId: v1.planId, version: 2 }, viewer)).toMatchObject({ version: 2, waves: expect.any(Array) });
    expect(await api.call('resolveRecoveryPlan', { planId: v1.planId }, viewer)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const versions = await api.ok<RecoveryPlanVersionSummary[]>('listRecoveryPlanVersions', { planId: v1.planId }, viewer);
    expect(versions.map((v) => [v.version, v.changeSummary, v.deleted ?? false])).toEqual([
      [1, ['created'], false],
      [2, ["wave 'Web' added"], false],
      [3, ['deleted'], true],
    ]);
    // Deleted: its groups are free to go, and its name to be used again.
    expect(api.store.planUsesOf('pg-3')).toBe(0);
    await api.ok('createRecoveryPlan', shop);
  });

  it('resolve into the snapshot an execution runs, with steps and settings', async () => {
    const api = await withGroups();
    const plan = await api.ok<SavedRecoveryPlan>('createRecoveryPlan', {
      ...shop,
      settings: { requireSecondApprover: true },
      waves: [{ ...shop.waves[0], servers: [{ sourceServerId: serverId(2), bootOrder: 1 }], postSteps: [{ type: 'WAIT', durationSeconds: 60 }] }, shop.waves[1]],
    });
    const snapshot = await api.ok<PlanSnapshot>('resolveRecoveryPlan', { planId: plan.planId }, viewer);
    expect(snapshot.settings).toEqual({ requireSecondApprover: true });
    expect(snapshot.waves[0]?.servers.map((s) => s.sourceServerId)).toEqual([serverId(2), serverId(1)]);
    expect(snapshot.waves[0]?.postSteps).toEqual([{ stepId: `${plan.waves[0]?.waveId}-post-1`, type: 'WAIT', name: 'Wait 1 min', durationSeconds: 60 }]);
  });

  it('resolve a plan with every kind of step and setting into a snapshot that ExecutionStarted accepts', async () => {
    const api = await withGroups();
    const plan = await api.ok<SavedRecoveryPlan>('createRecoveryPlan', {
      name: 'Full',
      settings: { rtoTargetMinutes: 30, requireSecondApprover: true, drill: { networkIsolation: 'CUSTOM_SUBNET', subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'], autoCleanupAfterHours: 8 }, notificationTargets: [{ type: 'EMAIL', address: 'oncall@example.com' }, { type: 'SNS_TOPIC', address: 'arn:aws:sns:us-east-1:123456789012:dr' }] },
      waves: [
        { name: 'DB', protectionGroupIds: ['pg-1'], launchOrder: 'SEQUENTIAL', errorPolicy: 'CONTINUE', servers: [{ sourceServerId: serverId(1), bootOrder: 2, delaySeconds: 10, criticality: 'OPTIONAL' }], postSteps: [{ type: 'SSM_DOCUMENT', documentName: 'AWS-RunShellScript', parameters: { commands: ['true'] } }] },
        {
          name: 'App',
          dependsOn: ['DB'],
          sourceServerIds: [serverId(6)],
          preSteps: [{ type: 'WAIT', durationSeconds: 30 }, { type: 'APPROVAL', prompt: 'Go?', approverRole: 'Admin' }],
          postSteps: [{ type: 'LAMBDA', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:smoke', payload: { url: 'https://shop.example.com' } }],
        },
      ],
    });
    const snapshot = await api.ok<PlanSnapshot>('resolveRecoveryPlan', { planId: plan.planId }, viewer);
    const started = createEvent('ExecutionStarted', { executionId: 'ex-1', planId: snapshot.planId, planVersion: snapshot.version, mode: 'RECOVERY', plan: snapshot }, { correlationId: 'ex-1', actor: { type: 'user', id: 'u' } });
    expect(() => validateEventDetail('ExecutionStarted', { metadata: started.metadata, data: started.data })).not.toThrow();
    expect(snapshot.waves.map((w) => [...(w.preSteps ?? []), ...(w.postSteps ?? [])].map((step) => step.type))).toEqual([['SSM_DOCUMENT'], ['WAIT', 'APPROVAL', 'LAMBDA']]);
  });

  it('import SRM priorities: a dry run shows the plan, the real run saves it', async () => {
    const api = await withGroups();
    const input = { name: 'From SRM', priorities: [{ priority: 2, protectionGroupIds: ['pg-2'] }, { priority: 1, protectionGroupIds: ['pg-1', 'pg-9'] }] };
    expect(await api.call('importSrmPriorities', { ...input, dryRun: true })).toEqual({
      ok: false,
      error: { code: 'BAD_USER_INPUT', field: 'priorities[1].protectionGroupIds[1]', message: 'priorities[1].protectionGroupIds[1]: protection group pg-9 does not exist', problems: [{ field: 'priorities[1].protectionGroupIds[1]', message: 'protection group pg-9 does not exist' }] },
    });
    const fixed = { ...input, priorities: [input.priorities[0], { priority: 1, protectionGroupIds: ['pg-1'] }] };
    const dry = await api.ok<SrmImportResult>('importSrmPriorities', { ...fixed, dryRun: true });
    expect(dry.plan).toBeUndefined();
    expect(dry.definition.waves.map((w) => w.name)).toEqual(['Priority 1', 'Priority 2']);
    expect(await api.ok('listRecoveryPlans', {}, viewer)).toEqual({ items: [], nextToken: null });
    const saved = await api.ok<SrmImportResult>('importSrmPriorities', fixed);
    expect(saved.plan?.waves.map((w) => [w.name, w.dependsOn])).toEqual([
      ['Priority 1', []],
      ['Priority 2', [saved.plan?.waves[0]?.waveId]],
    ]);
  });
});

describe('configuration as documents', () => {
  it('exports groups and plans, and imports them back: all validated first, all written or nothing', async () => {
    const source = planningHarness(...fleet());
    await source.ok('createProtectionGroup', groupInput('DB', { tagSelectors: [{ tags: { App: 'Orders', Tier: 'Database' } }], launchDefaults: { copyTags: true } }));
    await source.ok('createProtectionGroup', groupInput('App', { sourceServerIds: [serverId(3)] }));
    const plan = await source.ok<SavedRecoveryPlan>('createRecoveryPlan', { name: 'Shop', waves: [{ name: 'DB', protectionGroupIds: ['pg-1'] }, { name: 'App', dependsOn: ['DB'], protectionGroupIds: ['pg-2'] }] });
    const exported = await source.ok<ConfigurationExport>('exportConfiguration', { protectionGroupIds: ['pg-1', 'pg-2'], planIds: [plan.planId] }, viewer);
    expect(exported.documents).toEqual([
      { kind: 'ProtectionGroup', name: 'DB', id: 'pg-1' },
      { kind: 'ProtectionGroup', name: 'App', id: 'pg-2' },
      { kind: 'RecoveryPlan', name: 'Shop', id: plan.planId },
    ]);

    // Another stage: the same servers, other ids.
    const target = planningHarness(...fleet());
    await target.ok('createProtectionGroup', groupInput('Other', { sourceServerIds: [serverId(3)] }));
    const refused = await target.call('importConfiguration', { content: exported.content });
    expect(refused).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', problems: [{ field: 'documents[1].spec.sourceServerIds', message: `${serverId(3)} belongs to protection group 'Other' (pg-1)` }] } });
    expect(refused.ok === false && refused.error.problems).toHaveLength(1);
    expect((await target.store.listGroups()).map((g) => g.name)).toEqual(['Other']);
    expect(await target.ok('listRecoveryPlans', {}, viewer)).toEqual({ items: [], nextToken: null });

    await target.ok('deleteProtectionGroup', { protectionGroupId: 'pg-1' });
    const dry = await target.ok<ConfigurationImportResult>('importConfiguration', { content: exported.content, dryRun: true });
    expect(dry.documents.map((d) => [d.kind, d.name, d.action])).toEqual([
      ['ProtectionGroup', 'DB', 'CREATE'],
      ['ProtectionGroup', 'App', 'CREATE'],
      ['RecoveryPlan', 'Shop', 'CREATE'],
    ]);
    expect(await target.store.listGroups()).toEqual([]);
    const done = await target.ok<ConfigurationImportResult>('importConfiguration', { content: exported.content });
    expect(done.findings).toEqual([expect.objectContaining({ severity: 'WARNING', code: 'SERVER_NOT_READY', field: 'documents[2].spec.waves[0]' })]);
    const { items: groups } = await target.ok<Page<ProtectionGroupView>>('listProtectionGroups', {}, viewer);
    expect(groups.map((g) => [g.name, g.sourceServerIds])).toEqual([
      ['App', [serverId(3)]],
      ['DB', [serverId(1), serverId(2)]],
    ]);
    const [imported] = (await target.ok<Page<SavedRecoveryPlan>>('listRecoveryPlans', {}, viewer)).items;
    expect(imported?.waves.map((w) => w.protectionGroupIds.map((id) => groups.find((g) => g.protectionGroupId === id)?.name))).toEqual([['DB'], ['App']]);
    expect(target.store.planUsesOf(groups[0]?.protectionGroupId ?? '')).toBe(1);

    // Imported again: nothing changes.
    const again = await target.ok<ConfigurationImportResult>('importConfiguration', { content: exported.content, format: 'YAML' });
    expect(again.documents.map((d) => d.action)).toEqual(['UNCHANGED', 'UNCHANGED', 'UNCHANGED']);
  });

  it('lists every problem of every document at once', async () => {
    const api = planningHarness(...fleet());
    const content = JSON.stringify([
      { apiVersion: 'lifeboat/v1', kind: 'ProtectionGroup', metadata: { name: 'DB' }, spec: { accountId: 'nope', region: REGION, sourceServerIds: [serverId(99)] } },
      { apiVersion: 'lifeboat/v1', kind: 'RecoveryPlan', metadata: { name: 'Shop' }, spec: { waves: [{ name: 'A', protectionGroups: ['DB'], dependsOn: ['A'] }] } },
      { apiVersion: 'lifeboat/v1', kind: 'RecoveryPlan', metadata: { name: 'Other' }, spec: { waves: [{ name: 'A', protectionGroups: ['Nope'], sourceServerIds: [serverId(6)] }] } },
    ]);
    const response = await api.call('importConfiguration', { content });
    expect(response.ok === false && response.error.problems).toEqual([
      { field: 'documents[0].spec.accountId', message: 'must be an AWS account id (12 digits)' },
      { field: 'documents[0].spec.sourceServerIds[0]', message: `${serverId(99)} is not in the inventory` },
      // The plan names the group of documents[0]: only its own problem is reported, not the group's again.
      { field: 'documents[1].spec.waves[0].dependsOn[0]', message: "'A' depends on itself (A → A)" },
      { field: 'documents[2].spec.waves[0].protectionGroups[0]', message: "no protection group is named 'Nope' (neither existing nor in these documents)" },
    ]);
  });
});

describe('verification settings of protection groups', () => {
  const verification = { instanceTimeoutSeconds: 1200, healthChecks: [{ documentName: 'Lifeboat-Oracle', parameters: { sid: ['ORCL'] } }], probes: [{ type: 'TCP', port: 1521 }, { type: 'HTTP', port: 443, path: '/health', https: true }] };
  const overrides = [{ sourceServerId: serverId(2), requireSsmAgent: false, healthChecks: [] }];

  it('are stored, answered and announced; a save without a change writes nothing', async () => {
    const api = planningHarness(...fleet());
    const created = await api.ok<ProtectionGroupView>('createProtectionGroup', groupInput('DB', { sourceServerIds: [serverId(1), serverId(2)], verification, serverVerificationOverrides: overrides }));
    expect(created).toMatchObject({ verification, serverVerificationOverrides: overrides });
    expect(await api.ok('getProtectionGroup', { protectionGroupId: 'pg-1' }, viewer)).toMatchObject({ verification, serverVerificationOverrides: overrides });
    // Verification is Lifeboat's own: no launch-settings task for DRS.
    expect(api.newOutbox().map((e) => (e.kind === 'event' ? [e.kind, e.event.type, e.event.data] : [e.kind]))).toEqual([
      ['event', 'ProtectionGroupCreated', { protectionGroupId: 'pg-1', name: 'DB', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1), serverId(2)], revision: 1, verification, serverVerificationOverrides: overrides }],
    ]);

    const updated = await api.ok<ProtectionGroupView>('updateProtectionGroup', { protectionGroupId: 'pg-1', expectedRevision: 1, ...groupInput('DB', { sourceServerIds: [serverId(1), serverId(2)], verification: { checkPostLaunchActions: false } }) });
    expect(updated).toMatchObject({ revision: 2, verification: { checkPostLaunchActions: false }, serverVerificationOverrides: [] });
    expect(api.newEvents()).toEqual([{ type: 'ProtectionGroupUpdated', data: expect.objectContaining({ revision: 2, verification: { checkPostLaunchActions: false } }) }]);
    const same = await api.ok<ProtectionGroupView>('updateProtectionGroup', { protectionGroupId: 'pg-1', ...groupInput('DB', { sourceServerIds: [serverId(1), serverId(2)], verification: { checkPostLaunchActions: false } }) });
    expect(same.revision).toBe(2);
    expect(api.newOutbox()).toEqual([]);
  });

  it('bad ones are refused with every problem at its field, and change nothing (create, update, preview)', async () => {
    const api = planningHarness(...fleet());
    await api.ok('createProtectionGroup', groupInput('DB', { sourceServerIds: [serverId(1), serverId(2)], verification }));
    api.newOutbox();
    const bad = { verification: { healthChecks: [{ name: 'x' }], probes: [{ type: 'HTTP', port: 80, expectStatus: 99 }] }, serverVerificationOverrides: [{ sourceServerId: serverId(6), instanceTimeoutSeconds: -1 }] };
    const problems = [
      { field: 'verification.healthChecks[0].documentName', message: 'is required' },
      { field: 'verification.probes[0].expectStatus', message: 'must be a whole number from 100 to 599' },
      { field: 'serverVerificationOverrides[0].instanceTimeoutSeconds', message: 'must be a whole number from 1 to 7200' },
      { field: 'serverVerificationOverrides[0].sourceServerId', message: `${serverId(6)} is not a member of this group` },
    ];
    expect(await api.call('updateProtectionGroup', { protectionGroupId: 'pg-1', ...groupInput('DB', { sourceServerIds: [serverId(1), serverId(2)], ...bad }) })).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', problems } });
    expect(await api.call('createProtectionGroup', groupInput('App', { sourceServerIds: [serverId(3)], ...bad }))).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', problems } });
    expect(await api.call('previewProtectionGroup', { accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(3)], ...bad }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', problems } });
    expect(api.newOutbox()).toEqual([]);
    expect(await api.store.listGroups()).toEqual([expect.objectContaining({ name: 'DB', revision: 1, verification })]);
  });

  it('travel with the group’s document, and reach the plan snapshot ExecutionStarted carries', async () => {
    const source = planningHarness(...fleet());
    await source.ok('createProtectionGroup', groupInput('DB', { sourceServerIds: [serverId(1), serverId(2)], verification, serverVerificationOverrides: overrides }));
    const exported = await source.ok<ConfigurationExport>('exportConfiguration', { protectionGroupIds: ['pg-1'], format: 'YAML' }, viewer);
    expect(exported.content).toContain('serverVerificationOverrides:');

    const target = planningHarness(...fleet());
    await target.ok('importConfiguration', { content: exported.content });
    const [imported] = (await target.ok<Page<ProtectionGroupView>>('listProtectionGroups', {}, viewer)).items;
    expect(imported).toMatchObject({ verification, serverVerificationOverrides: overrides });
    expect((await target.ok<ConfigurationImportResult>('importConfiguration', { content: exported.content })).documents.map((d) => d.action)).toEqual(['UNCHANGED']);

    const plan = await target.ok<SavedRecoveryPlan>('createRecoveryPlan', { name: 'Shop', waves: [{ name: 'DB', protectionGroupIds: [imported?.protectionGroupId], sourceServerIds: [serverId(6)] }] });
    const snapshot = await target.ok<PlanSnapshot>('resolveRecoveryPlan', { planId: plan.planId }, viewer);
    expect(snapshot.waves[0]?.servers.map((s) => [s.sourceServerId, s.verification?.requireSsmAgent, s.verification?.healthChecks.map((c) => c.name), s.verification?.probes.length])).toEqual([
      [serverId(1), true, ['Lifeboat-Oracle'], 2],
      [serverId(2), false, [], 2],
      // Defaults alone: left out of the snapshot.
      [serverId(6), undefined, undefined, undefined],
    ]);
    const started = createEvent('ExecutionStarted', { executionId: 'ex-1', planId: snapshot.planId, planVersion: snapshot.version, mode: 'DRILL', plan: snapshot }, { correlationId: 'ex-1', actor: { type: 'user', id: 'u' } });
    expect(() => validateEventDetail('ExecutionStarted', { metadata: started.metadata, data: started.data })).not.toThrow();
  });
});

describe('bad input', () => {
  it('gets a typed error naming each field, from every command', async () => {
    const api = planningHarness(...fleet());
    const cases: [string, unknown, { field: string; message: string }[]][] = [
      ['updateProtectionGroup', { name: 'x' }, [{ field: 'protectionGroupId', message: 'is required' }]],
      ['deleteProtectionGroup', { protectionGroupId: 'pg 1' }, [{ field: 'protectionGroupId', message: 'is not a protection group id' }]],
      ['deleteProtectionGroup', { protectionGroupId: 'pg-1', expectedRevision: 0 }, [{ field: 'expectedRevision', message: 'must be a positive integer' }]],
      ['updateRecoveryPlan', { planId: 'plan-1', expectedVersion: 'x' }, [{ field: 'expectedVersion', message: 'must be a positive integer' }]],
      ['diffRecoveryPlanVersions', { planId: 'plan-1', fromVersion: 1 }, [{ field: 'toVersion', message: 'is required' }]],
      ['exportConfiguration', { planIds: 'plan-1', format: 'XML' }, [{ field: 'planIds', message: 'must be a list of ids' }, { field: 'format', message: 'must be YAML or JSON' }]],
      ['importConfiguration', { content: 'x: 1', dryRun: 'yes' }, [{ field: 'dryRun', message: 'must be true or false' }]],
      ['createRecoveryPlan', { name: 'P', waves: [] }, [{ field: 'waves', message: 'must list at least one wave' }]],
      ['importSrmPriorities', { name: 'P', priorities: [{ priority: 6 }] }, [{ field: 'priorities[0].priority', message: 'must be an SRM priority: 1, 2, 3, 4 or 5' }]],
    ];
    for (const [operation, input, problems] of cases) {
      const response = await api.call(operation, input);
      expect({ operation, response }).toEqual({ operation, response: { ok: false, error: expect.objectContaining({ code: 'BAD_USER_INPUT', problems }) } });
    }
    expect(api.store.outbox).toEqual([]);
  });

  it('reads are open to viewers, writes are not', async () => {
    const api = planningHarness(...fleet());
    expect(await api.call('createRecoveryPlan', { name: 'P', waves: [] }, viewer)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await api.call('importConfiguration', { content: 'x' }, viewer)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await api.ok('listProtectionGroups', {}, viewer)).toEqual({ items: [], nextToken: null });
  });
});
