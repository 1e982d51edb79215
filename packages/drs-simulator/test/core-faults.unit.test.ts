import { describe, it, expect } from '@jest/globals';
import { DEMO_ACCOUNT_ID, FleetError, demoFleet, parseFleet, type DrsEvent, type Fleet, type FaultPlan } from '../src/index.js';
import { FaultPlanError, parseFaultPlan } from '../src/faults.js';
import { isLaunchResultEvent } from '../src/model.js';
import { MIN, ctx, setup, thrown } from './core-support.js';

const withFaults = (faults: FaultPlan): Fleet => ({ ...demoFleet(), faults });
const stalledChanges = (events: DrsEvent[]) =>
  events.filter((e) => e['detail-type'] === 'DRS Source Server Data Replication Stalled Change').map((e) => [e.resources[0]?.split('/')[1], e.detail.state]);

function bigFleet(n: number): Fleet {
  return {
    accounts: [{ accountId: DEMO_ACCOUNT_ID, regions: ['us-east-1'] }],
    servers: Array.from({ length: n }, (_, i) => ({ hostname: `h-${i}`, os: 'LINUX' as const, accountId: DEMO_ACCOUNT_ID, region: 'us-east-1', tags: { Tier: i % 2 ? 'App' : 'Web' } })),
  };
}

describe('launch failures (by tag, server, hostname, rate)', () => {
  it('fails the servers a fleet fault selects by tag: the job COMPLETES with FAILED servers, LAUNCH_FAILED and RECOVERY_LAUNCH_FAILED', async () => {
    const { sim, clock, launch, job, id, published } = setup({ fleet: withFaults({ launchFailures: [{ tags: { Tier: 'Web' } }] }) });
    const created = launch(['orders-web-1', 'orders-app-1', 'orders-web-2']);
    clock.runAll();
    expect(job(created.jobID)).toMatchObject({ status: 'COMPLETED', participatingServers: [{ launchStatus: 'FAILED' }, { launchStatus: 'LAUNCHED' }, { launchStatus: 'FAILED' }] });
    const failedLogs = sim.jobLog(created.jobID).filter((l) => l.event === 'LAUNCH_FAILED').map((l) => l.eventData?.sourceServerID);
    expect(failedLogs.sort()).toEqual([id('orders-web-1'), id('orders-web-2')].sort());
    await sim.flushEvents();
    const failed = published.filter(isLaunchResultEvent).filter((e) => e.detail.state === 'RECOVERY_LAUNCH_FAILED').map((e) => e.resources[0]);
    expect(failed.sort()).toEqual([`arn:aws:drs:us-east-1:${DEMO_ACCOUNT_ID}:source-server/${id('orders-web-1')}`, `arn:aws:drs:us-east-1:${DEMO_ACCOUNT_ID}:source-server/${id('orders-web-2')}`].sort());
  });

  it('takes a new plan at run time (by server id or hostname) and clears it with {}', () => {
    const { sim, clock, launch, job, id } = setup();
    sim.setFaults({ launchFailures: [{ sourceServerIds: [id('orders-db-1')] }, { hostnames: ['orders-app-2'] }] });
    expect(sim.faults()).toEqual({ launchFailures: [{ sourceServerIds: [id('orders-db-1')] }, { hostnames: ['orders-app-2'] }] });
    const first = launch(['orders-db-1', 'orders-app-2', 'orders-db-2']);
    clock.runAll();
    expect(job(first.jobID).participatingServers.map((p) => p.launchStatus)).toEqual(['FAILED', 'FAILED', 'LAUNCHED']);
    sim.setFaults({});
    expect(sim.faults()).toEqual({});
    const second = launch(['orders-db-1', 'orders-app-2']);
    clock.runAll();
    expect(job(second.jobID).participatingServers.map((p) => p.launchStatus)).toEqual(['LAUNCHED', 'LAUNCHED']);
  });

  it('fails a share of launches drawn from the seed: the same servers for the same seed', () => {
    const failedWith = (seed: number) => {
      const { sim, clock } = setup({ seed, fleet: bigFleet(80) });
      sim.setFaults({ launchFailures: [{ rate: 0.3 }] });
      const ids = sim.sourceServers().map((s) => s.sourceServerID);
      sim.startRecovery(ctx, { sourceServers: ids.map((sourceServerID) => ({ sourceServerID })) });
      clock.runAll();
      return sim.jobs()[0]?.participatingServers.filter((p) => p.launchStatus === 'FAILED').map((p) => p.sourceServerID) ?? [];
    };
    const a = failedWith(21);
    expect(a.length).toBeGreaterThan(80 * 0.15);
    expect(a.length).toBeLessThan(80 * 0.45);
    expect(failedWith(21)).toEqual(a);
    expect(failedWith(22)).not.toEqual(a);
  });

  it('slows the selected launches down by the factor', () => {
    const duration = (faults?: FaultPlan) => {
      const { sim, clock, launch, job } = setup({ seed: 9 });
      if (faults) sim.setFaults(faults);
      const created = launch(['orders-db-1']);
      clock.runAll();
      return Date.parse(job(created.jobID).endDateTime ?? '') - Date.parse(created.creationDateTime);
    };
    const normal = duration();
    const slow = duration({ slowLaunches: [{ hostnames: ['orders-db-1'], factor: 3 }] });
    expect(Math.abs(slow - 3 * normal)).toBeLessThan(10);
    expect(duration({ slowLaunches: [{ hostnames: ['orders-db-2'], factor: 3 }] })).toBe(normal);
  });
});

describe('aws.drs event faults (lost, duplicated, delayed)', () => {
  it('loses events: logged as LOST, never published', async () => {
    const { sim, clock, launch, published } = setup({ fleet: withFaults({ events: { lossRate: 1 } }) });
    launch(['orders-db-1', 'orders-db-2']);
    clock.runAll();
    await sim.flushEvents();
    expect(published).toEqual([]);
    expect(sim.eventLog.map((e) => [e.status, e.fault])).toEqual([['LOST', 'LOST'], ['LOST', 'LOST']]);
  });

  it('duplicates events: the same event (same id) is published twice', async () => {
    const { sim, clock, launch, published } = setup();
    sim.setFaults({ events: { duplicateRate: 1 } });
    launch(['orders-db-1']);
    clock.runAll();
    await sim.flushEvents();
    expect(published).toHaveLength(2);
    expect(published[1]).toEqual(published[0]);
    expect(sim.eventLog.map((e) => [e.status, e.fault])).toEqual([['DELIVERED', 'DUPLICATED']]);
  });

  it('delays events by simulated milliseconds, then publishes them', async () => {
    const { sim, clock, launch, published } = setup({ fleet: withFaults({ events: { delayMs: 5 * MIN } }) });
    launch(['orders-db-1']);
    while (sim.recoveryInstances()[0]?.ec2InstanceState !== 'RUNNING') clock.advance(1000);
    await sim.flushEvents();
    expect(published).toEqual([]);
    expect(sim.eventLog.map((e) => e.status)).toEqual(['DELAYED']);
    clock.advance(5 * MIN);
    await sim.flushEvents();
    expect(published).toHaveLength(1);
    expect(sim.eventLog.map((e) => [e.status, e.fault])).toEqual([['DELIVERED', 'DELAYED']]);
  });

  it('draws event faults from the seed: the same events are lost for the same seed', async () => {
    const lost = async (seed: number) => {
      const { sim, clock } = setup({ seed, fleet: bigFleet(40) });
      sim.setFaults({ events: { lossRate: 0.5 } });
      sim.startRecovery(ctx, { sourceServers: sim.sourceServers().map((s) => ({ sourceServerID: s.sourceServerID })) });
      clock.runAll();
      await sim.flushEvents();
      return sim.eventLog.filter((e) => e.status === 'LOST').map((e) => e.event.resources[0]);
    };
    const a = await lost(5);
    expect(a.length).toBeGreaterThan(5);
    expect(a.length).toBeLessThan(35);
    expect(await lost(5)).toEqual(a);
  });
});

describe('replication stalls', () => {
  it('stalls the selected servers after a while and recovers them, with STALLED / NOT_STALLED events of the documented shape', async () => {
    const { sim, clock, launch, job, id, byHost, published } = setup({
      fleet: withFaults({ replicationStalls: [{ hostnames: ['orders-db-1'], afterSeconds: 60, durationSeconds: 600 }] }),
    });
    expect(byHost('orders-db-1').dataReplicationInfo.dataReplicationState).toBe('CONTINUOUS');
    clock.advance(60_000);
    expect(byHost('orders-db-1').dataReplicationInfo).toMatchObject({ dataReplicationState: 'STALLED', dataReplicationError: { error: 'AGENT_NOT_SEEN' } });
    const during = launch(['orders-db-1']);
    clock.advance(5 * MIN);
    expect(job(during.jobID).participatingServers[0]?.launchStatus).toBe('FAILED');
    clock.advance(5 * MIN);
    expect(byHost('orders-db-1').dataReplicationInfo.dataReplicationState).toBe('CONTINUOUS');
    await sim.flushEvents();
    expect(stalledChanges(published)).toEqual([[id('orders-db-1'), 'STALLED'], [id('orders-db-1'), 'NOT_STALLED']]);
    const stalled = published.find((e) => e['detail-type'] === 'DRS Source Server Data Replication Stalled Change');
    expect(stalled).toEqual({
      version: '0', id: expect.stringMatching(/^[0-9a-f-]{36}$/), 'detail-type': 'DRS Source Server Data Replication Stalled Change', source: 'aws.drs',
      account: DEMO_ACCOUNT_ID, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), region: 'us-east-1',
      resources: [`arn:aws:drs:us-east-1:${DEMO_ACCOUNT_ID}:source-server/${id('orders-db-1')}`], detail: { state: 'STALLED' },
    });
  });

  it('ends the stalls of a plan that is replaced, and reports manual stalls too', async () => {
    const { sim, id, byHost, published } = setup();
    sim.setFaults({ replicationStalls: [{ tags: { App: 'Orders', Tier: 'Web' } }] });
    expect(['orders-web-1', 'orders-web-2'].map((h) => byHost(h).dataReplicationInfo.dataReplicationState)).toEqual(['STALLED', 'STALLED']);
    sim.setFaults({ replicationStalls: [{ hostnames: ['orders-web-1'] }] });
    expect(['orders-web-1', 'orders-web-2'].map((h) => byHost(h).dataReplicationInfo.dataReplicationState)).toEqual(['STALLED', 'CONTINUOUS']);
    sim.setFaults({});
    expect(byHost('orders-web-1').dataReplicationInfo.dataReplicationState).toBe('CONTINUOUS');
    sim.setReplicationState(id('monitoring-1'), 'STALLED');
    sim.setReplicationState(id('monitoring-1'), 'BACKLOG');
    await sim.flushEvents();
    expect(stalledChanges(published)).toEqual([
      [id('orders-web-1'), 'STALLED'], [id('orders-web-2'), 'STALLED'], [id('orders-web-2'), 'NOT_STALLED'], [id('orders-web-1'), 'NOT_STALLED'],
      [id('monitoring-1'), 'STALLED'], [id('monitoring-1'), 'NOT_STALLED'],
    ]);
  });
});

describe('fault plans are validated', () => {
  it('lists every problem of an invalid plan (setFaults, parseFaultPlan, a fleet file)', () => {
    const { sim } = setup();
    const error = thrown(() => sim.setFaults({ launchFailures: [{ rate: 2 }], slowLaunches: [{ factor: 0 }], events: { lossRate: -1 }, bogus: true } as unknown as FaultPlan));
    expect(error).toBeInstanceOf(FaultPlanError);
    const problems = (error as FaultPlanError).problems.join('\n');
    for (const needle of ['faults.bogus', 'launchFailures[0].rate', 'slowLaunches[0].factor', 'events.lossRate']) expect(problems).toContain(needle);
    expect(sim.faults()).toEqual({});
    expect(parseFaultPlan({ throttling: { operations: ['StartRecovery'], count: 3, retryAfterSeconds: 1 }, assumeRoleDenied: { all: true } }))
      .toEqual({ throttling: { operations: ['StartRecovery'], count: 3, retryAfterSeconds: 1 }, assumeRoleDenied: { all: true } });
    const fleet = { ...demoFleet(), faults: { replicationStalls: [{ hostnames: ['orders-db-1'], afterSeconds: 'soon' }] } };
    expect(() => parseFleet(fleet)).toThrow(FleetError);
    const good = { ...demoFleet(), faults: { launchFailures: [{ tags: { Tier: 'Web' }, rate: 0.5 }], events: { duplicateRate: 0.1 } } };
    expect(parseFleet(good)).toEqual(good);
  });
});
