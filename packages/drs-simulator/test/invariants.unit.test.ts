import { describe, it, expect } from '@jest/globals';
import { DEMO_ACCOUNT_ID, DrsSimulator, ManualClock, demoFleet } from '../src/index.js';

function setup() {
  const fleet = demoFleet();
  const web = fleet.servers.find((s) => s.hostname === 'orders-web-2');
  if (web) web.launchOutcome = 'FAIL';
  const clock = new ManualClock();
  const sim = new DrsSimulator({ clock, timeScale: 1, fleet, quotas: { maxConcurrentJobs: 3 } });
  const id = (hostname: string) => sim.sourceServers().find((s) => s.sourceProperties.identificationHints?.hostname === hostname)?.sourceServerID ?? '';
  const start = (execution: string, ...hosts: string[]) =>
    sim.invoke('StartRecovery', { region: 'us-east-1' }, {
      isDrill: true,
      sourceServers: hosts.map((h) => ({ sourceServerID: id(h) })),
      tags: { 'lifeboat:execution-id': execution },
    });
  return { sim, clock, start, id };
}

describe('checkInvariants', () => {
  it('is ok when every server is launched once per execution, even across executions', async () => {
    const { sim, clock, start } = setup();
    await start('exec-1', 'orders-db-1', 'orders-db-2');
    clock.runAll();
    await start('exec-1', 'orders-app-1');
    await start('exec-2', 'orders-db-1');
    clock.runAll();
    const report = sim.checkInvariants();
    expect(report).toMatchObject({ ok: true, duplicateLaunches: [], quotaRejections: [], conflicts: [], violations: [] });
  });

  it('flags a server launched again within the same execution', async () => {
    const { sim, clock, start, id } = setup();
    await start('exec-1', 'orders-db-1');
    clock.runAll();
    await start('exec-1', 'orders-db-1', 'orders-app-1');
    const report = sim.checkInvariants();
    expect(report.ok).toBe(false);
    expect(report.duplicateLaunches).toEqual([
      { tagValue: 'exec-1', sourceServerID: id('orders-db-1'), firstJobID: sim.jobs()[0]?.jobID, callSeq: 2, jobID: sim.jobs()[1]?.jobID },
    ]);
    expect(report.violations[0]).toContain('launched again');
  });

  it('allows a retry of a server whose earlier launch FAILED, unless told otherwise', async () => {
    const { sim, clock, start } = setup();
    await start('exec-1', 'orders-web-2');
    clock.runAll();
    await start('exec-1', 'orders-web-2');
    clock.runAll();
    expect(sim.checkInvariants().ok).toBe(true);
    expect(sim.checkInvariants({ allowRetryAfterFailure: false }).duplicateLaunches).toHaveLength(1);
  });

  it('flags an attempt refused as a conflict, and calls refused for a quota', async () => {
    const { sim, start } = setup();
    await start('exec-1', 'orders-db-1');
    const conflict = await start('exec-1', 'orders-db-1');
    expect(!conflict.ok && conflict.error.type).toBe('ConflictException');
    await start('exec-2', 'orders-app-1');
    await start('exec-3', 'orders-web-1');
    const quota = await start('exec-4', 'orders-web-2');
    expect(!quota.ok && quota.error.type).toBe('ServiceQuotaExceededException');
    const report = sim.checkInvariants();
    expect(report.duplicateLaunches.map((d) => d.errorType)).toEqual(['ConflictException']);
    expect(report.conflicts.map((c) => c.callSeq)).toEqual([2]);
    expect(report.quotaRejections).toEqual([expect.objectContaining({ callSeq: 5, accountId: DEMO_ACCOUNT_ID, errorType: 'ServiceQuotaExceededException' })]);
    expect(report.violations).toHaveLength(3);
  });

  it('groups by another tag when asked', async () => {
    const { sim, clock, start } = setup();
    await start('exec-1', 'orders-db-1');
    clock.runAll();
    await start('exec-2', 'orders-db-1');
    expect(sim.checkInvariants({ groupTagKey: 'nothing' }).ok).toBe(true);
    expect(sim.checkInvariants().ok).toBe(true);
  });
});
