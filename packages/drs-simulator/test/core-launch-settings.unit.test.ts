import { describe, it, expect } from '@jest/globals';
import { QUOTA_CODES, demoFleet, type Fleet } from '../src/index.js';
import type { LaunchAction } from '../src/model.js';
import { isLaunchResultEvent } from '../src/model.js';
import { ctx, errorOf, setup } from './core-support.js';

const action = (resourceId: string, overrides: Record<string, unknown> = {}) => ({
  resourceId,
  actionId: '11111111-2222-4333-8444-555555555555',
  actionCode: 'AWS-RunShellScript',
  order: 100,
  optional: false,
  active: true,
  name: 'Validate app',
  actionVersion: '$DEFAULT',
  category: 'VALIDATION',
  description: 'Checks the app answers',
  ...overrides,
});

describe('launch configuration (GetLaunchConfiguration / UpdateLaunchConfiguration)', () => {
  it('starts from DRS\'s default launch settings', () => {
    const { sim, id } = setup();
    expect(sim.getLaunchConfiguration(ctx, id('orders-db-1'))).toEqual({
      sourceServerID: id('orders-db-1'),
      name: 'orders-db-1',
      ec2LaunchTemplateID: expect.stringMatching(/^lt-[0-9a-f]{17}$/),
      launchDisposition: 'STARTED',
      targetInstanceTypeRightSizingMethod: 'BASIC',
      copyPrivateIp: false,
      copyTags: false,
      licensing: { osByol: true },
      postLaunchEnabled: true,
    });
    expect(errorOf(() => sim.getLaunchConfiguration(ctx, 's-00000000000000000')).type).toBe('ResourceNotFoundException');
  });

  it('updates only the members given, validates them, and applies them to the next launch', async () => {
    const { sim, clock, id, launch, byHost } = setup();
    const sourceServerID = id('orders-db-1');
    const updated = await sim.invoke('UpdateLaunchConfiguration', {}, {
      sourceServerID, name: 'db one', launchDisposition: 'STOPPED', copyTags: true, copyPrivateIp: true, targetInstanceTypeRightSizingMethod: 'NONE',
    });
    expect(updated.ok && updated.output).toMatchObject({ name: 'db one', launchDisposition: 'STOPPED', copyTags: true, copyPrivateIp: true, targetInstanceTypeRightSizingMethod: 'NONE', licensing: { osByol: true }, postLaunchEnabled: true });
    expect(sim.getLaunchConfiguration(ctx, sourceServerID).name).toBe('db one');

    const bad = await sim.invoke('UpdateLaunchConfiguration', {}, { sourceServerID, launchDisposition: 'PAUSED', copyTags: 'yes', launchIntoInstanceProperties: { launchIntoEC2InstanceID: 'vm-1' } });
    expect(!bad.ok && bad.error.members.fieldList?.map((f) => f.name)).toEqual(['launchDisposition', 'copyTags', 'launchIntoInstanceProperties.launchIntoEC2InstanceID']);
    expect(sim.getLaunchConfiguration(ctx, sourceServerID).launchDisposition).toBe('STOPPED');

    launch(['orders-db-1']);
    clock.runAll();
    const [instance] = sim.recoveryInstances();
    expect(instance?.ec2InstanceState).toBe('STOPPED');
    const [ec2] = sim.ec2Instances();
    const server = byHost('orders-db-1');
    expect(ec2).toMatchObject({
      state: { name: 'stopped', code: 80 },
      instanceType: 't3.medium',
      privateIpAddress: server.sourceProperties.networkInterfaces?.[0]?.ips?.[0],
      tags: { App: 'Orders', Tier: 'Database', Environment: 'Production', Name: 'orders-db-1', AWSElasticDisasterRecoveryManaged: 'drs.amazonaws.com', AWSElasticDisasterRecoverySourceServerID: sourceServerID },
      statusChecks: 'not-applicable',
      ssm: { agentOnline: false },
    });
  });

  it('launches into an existing EC2 instance when launchIntoInstanceProperties names one', () => {
    const { sim, clock, launch, id } = setup();
    sim.updateLaunchConfiguration(ctx, { sourceServerID: id('orders-web-1'), launchIntoInstanceProperties: { launchIntoEC2InstanceID: 'i-0123456789abcdef0' } });
    launch(['orders-web-1']);
    clock.runAll();
    expect(sim.recoveryInstances().map((i) => [i.recoveryInstanceID, i.ec2InstanceID])).toEqual([['i-0123456789abcdef0', 'i-0123456789abcdef0']]);
  });

  it('reports EC2 status checks and the SSM agent of a running instance as simulated time goes by', () => {
    const { sim, clock, launch } = setup();
    launch(['orders-db-1']);
    let facts = sim.ec2Instances()[0];
    while (facts?.state.name !== 'running') {
      clock.advance(1000);
      facts = sim.ec2Instances()[0];
    }
    expect(facts).toMatchObject({ statusChecks: 'initializing', ssm: { agentOnline: false }, os: 'LINUX', launchTime: expect.any(String), subnetId: expect.stringMatching(/^subnet-/), vpcId: expect.stringMatching(/^vpc-/), imageId: expect.stringMatching(/^ami-/) });
    expect(facts.platform).toBeUndefined();
    clock.advance(sim.timings.ssmAgentMs);
    expect(sim.ec2Instances()[0]?.ssm).toMatchObject({ agentOnline: true, pingStatus: 'Online' });
    clock.advance(sim.timings.statusChecksMs);
    expect(sim.ec2Instances()[0]?.statusChecks).toBe('ok');
    expect(sim.recoveryInstanceDetails()[0]?.ec2.instanceId).toBe(sim.recoveryInstances()[0]?.ec2InstanceID);
  });
});

describe('launch actions (PutLaunchAction / ListLaunchActions / DeleteLaunchAction)', () => {
  it('puts, lists in order, pages, filters and deletes (204) the actions of a source server', async () => {
    const { sim, id } = setup();
    const resourceId = id('orders-app-1');
    const put = await sim.invoke('PutLaunchAction', {}, action(resourceId));
    expect(put.ok && put.output).toEqual({ ...action(resourceId), type: 'SSM_COMMAND' });
    await sim.invoke('PutLaunchAction', {}, action(resourceId, { actionId: '22222222-2222-4333-8444-555555555555', order: 50, actionCode: 'AWS-StartAutomationExecution', name: 'Warm cache', optional: true, parameters: { target: { value: 'cache-1', type: 'DYNAMIC' } } }));
    const listed = sim.listLaunchActions(ctx, { resourceId });
    expect(listed.items.map((a: LaunchAction) => [a.order, a.type, a.optional])).toEqual([[50, 'SSM_AUTOMATION', true], [100, 'SSM_COMMAND', false]]);
    const first = sim.listLaunchActions(ctx, { resourceId, maxResults: 1 });
    expect(first.items).toHaveLength(1);
    expect(sim.listLaunchActions(ctx, { resourceId, maxResults: 1, ...(first.nextToken ? { nextToken: first.nextToken } : {}) }).items[0]?.order).toBe(100);
    expect(sim.listLaunchActions(ctx, { resourceId, filters: { actionIds: ['22222222-2222-4333-8444-555555555555'] } }).items.map((a) => a.name)).toEqual(['Warm cache']);

    const deleted = await sim.invoke('DeleteLaunchAction', {}, { resourceId, actionId: '22222222-2222-4333-8444-555555555555' });
    expect(deleted).toEqual({ ok: true, statusCode: 204, output: undefined });
    const again = await sim.invoke('DeleteLaunchAction', {}, { resourceId, actionId: '22222222-2222-4333-8444-555555555555' });
    expect(!again.ok && again.error.type).toBe('ResourceNotFoundException');
    expect(sim.listLaunchActions(ctx, { resourceId }).items).toHaveLength(1);
    const template = await sim.invoke('ListLaunchActions', {}, { resourceId: 'lct-0123456789abcdef0' });
    expect(!template.ok && template.error.type).toBe('ResourceNotFoundException');
  });

  it('validates every required member and the model\'s constraints', async () => {
    const { sim, id } = setup();
    const result = await sim.invoke('PutLaunchAction', {}, { ...action(id('orders-app-1')), order: 1, category: 'FUN', actionId: 'not-a-uuid', active: undefined, name: '-bad' });
    expect(!result.ok && result.error.members.fieldList?.map((f) => f.name)).toEqual(['order', 'actionId', 'active', 'name', 'category']);
    const empty = await sim.invoke('PutLaunchAction', {}, {});
    expect(!empty.ok && empty.error.members.fieldList?.length).toBe(10);
  });

  it('refuses an action past the launch actions quota (L-0588D03B) but updates an existing one', () => {
    const { sim, id } = setup({ quotas: { maxLaunchActionsPerResource: 1 } });
    const resourceId = id('orders-app-1');
    const first = action(resourceId) as Parameters<typeof sim.putLaunchAction>[1];
    sim.putLaunchAction(ctx, first);
    sim.putLaunchAction(ctx, { ...first, name: 'Renamed' });
    const error = errorOf(() => sim.putLaunchAction(ctx, { ...first, actionId: '33333333-2222-4333-8444-555555555555' }));
    expect(error).toMatchObject({ type: 'ServiceQuotaExceededException', members: { quotaCode: QUOTA_CODES.launchActionsPerResource } });
    expect(sim.listLaunchActions(ctx, { resourceId }).items.map((a) => a.name)).toEqual(['Renamed']);
  });

  it('runs active actions after launch and reports them in launchActionsStatus; the launch completes when they do', async () => {
    const { sim, clock, id, launch, job, published } = setup();
    const resourceId = id('orders-app-1');
    sim.putLaunchAction(ctx, action(resourceId) as Parameters<typeof sim.putLaunchAction>[1]);
    sim.putLaunchAction(ctx, { ...(action(resourceId) as Parameters<typeof sim.putLaunchAction>[1]), actionId: '44444444-2222-4333-8444-555555555555', order: 200, active: false });
    const created = launch(['orders-app-1']);
    while (sim.recoveryInstances()[0]?.ec2InstanceState !== 'RUNNING') clock.advance(1000);
    const participant = () => job(created.jobID).participatingServers[0];
    expect(participant()?.launchStatus).toBe('IN_PROGRESS');
    expect(participant()?.launchActionsStatus).toEqual({ runs: [] });
    clock.advance(sim.timings.ssmAgentMs);
    expect(participant()?.launchActionsStatus).toEqual({
      ssmAgentDiscoveryDatetime: expect.any(String),
      runs: [{ action: expect.objectContaining({ name: 'Validate app' }), runId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'IN_PROGRESS' }],
    });
    clock.advance(sim.timings.launchActionMs);
    expect(participant()).toMatchObject({ launchStatus: 'LAUNCHED', launchActionsStatus: { runs: [{ status: 'SUCCEEDED' }] } });
    expect(job(created.jobID).status).toBe('COMPLETED');
    await sim.flushEvents();
    expect(published.filter(isLaunchResultEvent).map((e) => e.detail.state)).toEqual(['RECOVERY_LAUNCH_SUCCEEDED']);
  });

  it('fails the launch when a non-optional action fails (the fleet\'s SSM script), not when an optional one does', async () => {
    const fleet: Fleet = demoFleet();
    for (const s of fleet.servers) if (s.hostname === 'orders-app-1' || s.hostname === 'orders-web-1') s.ssm = { commandStatus: 'Failed' };
    const monitoring = fleet.servers.find((s) => s.hostname === 'monitoring-1');
    if (monitoring) monitoring.ssm = { agentOnline: false };
    const { sim, clock, id, launch, job, published } = setup({ fleet });
    sim.putLaunchAction(ctx, action(id('orders-app-1')) as Parameters<typeof sim.putLaunchAction>[1]);
    sim.putLaunchAction(ctx, { ...(action(id('orders-web-1')) as Parameters<typeof sim.putLaunchAction>[1]), optional: true });
    sim.putLaunchAction(ctx, action(id('monitoring-1')) as Parameters<typeof sim.putLaunchAction>[1]);
    sim.putLaunchAction(ctx, action(id('orders-db-1')) as Parameters<typeof sim.putLaunchAction>[1]);
    sim.updateLaunchConfiguration(ctx, { sourceServerID: id('orders-db-1'), postLaunchEnabled: false });
    const created = launch(['orders-app-1', 'orders-web-1', 'monitoring-1', 'orders-db-1']);
    clock.runAll();
    const servers = job(created.jobID).participatingServers;
    expect(servers.map((p) => p.launchStatus)).toEqual(['FAILED', 'LAUNCHED', 'FAILED', 'LAUNCHED']);
    expect(servers[0]?.launchActionsStatus?.runs[0]).toMatchObject({ status: 'FAILED', failureReason: expect.stringContaining('Failed') });
    expect(servers[1]?.launchActionsStatus?.runs[0]?.status).toBe('FAILED');
    expect(servers[2]?.launchActionsStatus).toMatchObject({ runs: [{ status: 'FAILED', failureReason: expect.stringContaining('SSM agent') }] });
    expect(servers[2]?.launchActionsStatus?.ssmAgentDiscoveryDatetime).toBeUndefined();
    expect(servers[3]?.launchActionsStatus).toBeUndefined();
    // the instances are up even where the launch failed because of an action
    expect(sim.recoveryInstances().map((i) => i.ec2InstanceState)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
    expect(Date.parse(job(created.jobID).endDateTime ?? '') - Date.parse(created.creationDateTime)).toBeGreaterThanOrEqual(sim.timings.ssmAgentTimeoutMs);
    await sim.flushEvents();
    const states = Object.fromEntries(published.filter(isLaunchResultEvent).map((e) => [e.resources[0]?.split('/')[1], e.detail.state]));
    expect(states[id('orders-app-1')]).toBe('RECOVERY_LAUNCH_FAILED');
    expect(states[id('orders-web-1')]).toBe('RECOVERY_LAUNCH_SUCCEEDED');
  });
});
