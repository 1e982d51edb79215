/**
 * The HTTP simulator with a state file, as the local stack runs it: a StartRecovery answered to
 * the unmodified DrsClient survives a crash right after the answer, and so do the call log (the
 * invariants), assumed-role credentials and SSM commands.
 */
import { describe, it, expect, afterAll } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeJobsCommand, DescribeSourceServersCommand, DrsClient, StartRecoveryCommand } from '@aws-sdk/client-drs';
import { GetCommandInvocationCommand, SSMClient, SendCommandCommand } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ManualClock, isLaunchResultEvent, startDrsSimulator, type DrsEvent, type DrsSimulatorHandle } from '../src/index.js';
import { HUB, SPOKE, SPOKE_ROLE, control, edgeFleet, hubCredentials, type AwsCredentials } from './edge-support.js';
import { crashImage, removeTempDirs, tempDir } from './persistence-support.js';

const TAG = 'lifeboat:execution-id';
const handles: DrsSimulatorHandle[] = [];
const clients: { destroy(): void }[] = [];

afterAll(async () => {
  for (const client of clients) client.destroy();
  for (const handle of handles) await handle.close();
  removeTempDirs();
});

function sdk(handle: DrsSimulatorHandle, credentials: AwsCredentials = hubCredentials) {
  const config = { endpoint: handle.url, region: 'us-east-1', credentials, maxAttempts: 1 };
  const set = { drs: new DrsClient(config), ssm: new SSMClient(config), sts: new STSClient(config) };
  clients.push(set.drs, set.ssm, set.sts);
  return set;
}

async function until(clock: ManualClock, done: () => boolean): Promise<void> {
  for (let i = 0; i < 24 * 60 && !done(); i++) clock.advance(5_000);
  if (!done()) throw new Error('never happened');
}

describe('the HTTP simulator with a state file (a SIGKILL of the local stack)', () => {
  it('keeps a job acknowledged to the DrsClient across a crash right after the answer; the restart finishes it', async () => {
    const file = join(tempDir(), 'drs-simulator', 'state.json');
    const clock = new ManualClock('2025-03-01T08:00:00.000Z');
    const first = await startDrsSimulator({ fleet: edgeFleet(), timeScale: 1, seed: 11, clock, stateFile: file, runSalt: 'run-1' });
    handles.push(first);
    expect(existsSync(file)).toBe(true);
    const before = sdk(first);
    const { items: servers } = await before.drs.send(new DescribeSourceServersCommand({}));
    const id = (host: string) => servers?.find((s) => s.sourceProperties?.identificationHints?.hostname === host)?.sourceServerID ?? '';

    // Before the crash: a launched instance with an SSM command, and assumed-role credentials.
    const { job: drill } = await before.drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: [{ sourceServerID: id('web-2') }] }));
    await until(clock, () => first.simulator.ec2Instances().some((i) => i.ssm.agentOnline));
    const instanceId = first.simulator.ec2Instances()[0]?.instanceId ?? '';
    const { Command } = await before.ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [instanceId], Parameters: { commands: ['uptime'] } }));
    const assumed = (await before.sts.send(new AssumeRoleCommand({ RoleArn: SPOKE_ROLE, RoleSessionName: 'lifeboat-execution' }))).Credentials;

    // The job of the execution, then SIGKILL right after the answer: only what was saved before answering survives.
    const { job } = await before.drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: [{ sourceServerID: id('web-1') }, { sourceServerID: id('api-1') }], tags: { [TAG]: 'exec-42' } }));
    const image = crashImage(file);
    const jobID = job?.jobID ?? '';

    const events: DrsEvent[] = [];
    const clock2 = new ManualClock(clock.now() + 3_600_000);
    const second = await startDrsSimulator({
      fleet: edgeFleet(), timeScale: 1, seed: 11, clock: clock2, stateFile: image, runSalt: 'run-2',
      publishEvents: async (batch) => { events.push(...batch); },
    });
    handles.push(second);
    const after = sdk(second);
    const { items } = await after.drs.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] } }));
    expect(items).toMatchObject([{ jobID, status: 'PENDING', tags: { [TAG]: 'exec-42' }, participatingServers: [{ sourceServerID: id('web-1') }, { sourceServerID: id('api-1') }] }]);
    expect((await control(second, 'GET', 'health')).body).toMatchObject({ stateFile: image, restored: { jobs: 2, activeJobs: 1 } });

    await until(clock2, () => second.simulator.jobs().find((j) => j.jobID === jobID)?.status === 'COMPLETED');
    await second.simulator.flushEvents();
    const results = events.filter(isLaunchResultEvent).filter((e) => e.detail['job-id'] === jobID).map((e) => e.resources[0]?.split('/')[1]);
    expect(results.sort()).toEqual([id('web-1'), id('api-1')].sort());

    // The call logs span the restart: the invariants see the StartRecovery made before it.
    const calls = await control<{ calls: { operation: string; jobID?: string; service: string }[] }>(second, 'GET', 'calls?service=drs&operation=StartRecovery');
    expect(calls.body.calls.map((c) => c.jobID)).toEqual([drill?.jobID, jobID]);
    expect((await control(second, 'GET', 'invariants')).body).toMatchObject({ ok: true });
    await after.drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: [{ sourceServerID: id('web-1') }], tags: { [TAG]: 'exec-42' } }));
    const report = await control<{ ok: boolean; duplicateLaunches: { sourceServerID: string; firstJobID: string }[] }>(second, 'GET', 'invariants');
    expect(report.body.duplicateLaunches).toMatchObject([{ sourceServerID: id('web-1'), firstJobID: jobID }]);

    // Credentials and SSM commands issued before the crash are still known.
    const spoke = sdk(second, { accessKeyId: assumed?.AccessKeyId ?? '', secretAccessKey: assumed?.SecretAccessKey ?? '', sessionToken: assumed?.SessionToken ?? '' });
    expect(await spoke.sts.send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: SPOKE });
    const invocation = await after.ssm.send(new GetCommandInvocationCommand({ CommandId: Command?.CommandId ?? '', InstanceId: instanceId }));
    expect(invocation).toMatchObject({ Status: 'Success', ResponseCode: 0 });
    expect(second.simulator.jobs().map((j) => j.jobID)).toEqual([drill?.jobID, jobID, expect.not.stringMatching(new RegExp(`^(${drill?.jobID ?? ''}|${jobID})$`))]);
    expect(second.simulator.jobs()[0]?.participatingServers[0]?.launchStatus).toBe('LAUNCHED');
    expect(second.edge.callLog[0]).toMatchObject({ service: 'drs', operation: 'DescribeSourceServers', accountId: HUB });
  });

  it('a graceful close saves everything: a restart from the same file continues', async () => {
    const file = join(tempDir(), 'state.json');
    const clock = new ManualClock('2025-03-01T08:00:00.000Z');
    const first = await startDrsSimulator({ fleet: edgeFleet(), timeScale: 1, seed: 11, clock, stateFile: file });
    const drs = sdk(first).drs;
    const { items } = await drs.send(new DescribeSourceServersCommand({}));
    const { job } = await drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: items?.[0]?.sourceServerID ?? '' }] }));
    clock.advance(60_000);
    const simulated = first.simulator.simulatedNow();
    await first.close();

    const clock2 = new ManualClock(clock.now() + 60_000);
    const second = await startDrsSimulator({ fleet: edgeFleet(), timeScale: 1, seed: 11, clock: clock2, stateFile: file });
    handles.push(second);
    expect(second.simulator.simulatedNow()).toBe(simulated);
    expect(second.simulator.jobs()).toMatchObject([{ jobID: job?.jobID, status: 'STARTED' }]);
    await until(clock2, () => second.simulator.jobs()[0]?.status === 'COMPLETED');
    expect(second.simulator.recoveryInstances()).toHaveLength(1);
  });
});
