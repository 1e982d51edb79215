/** The control API under /_simulator/: faults set, merged and cleared; time scale; reset; the call log of every protocol. */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { DescribeJobsCommand, DrsClient, ThrottlingException } from '@aws-sdk/client-drs';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { startDrsSimulator, type EdgeCallEntry, type FaultPlan } from '../src/index.js';
import { HUB, control, edgeFleet, edgeTestBed, errorOf, hubCredentials, type EdgeTestBed } from './edge-support.js';

interface FaultsView {
  faults: FaultPlan;
  remaining: { throttling?: number; internalErrors?: number };
}

describe('control API (edge)', () => {
  let bed: EdgeTestBed;

  beforeAll(async () => {
    bed = await edgeTestBed();
  });
  afterAll(async () => {
    await bed.close();
  });

  it('reports health with the protocols it serves', async () => {
    const { status, body } = await control(bed.handle, 'GET', 'health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', protocols: ['drs', 'ec2', 'ssm', 'sts'], seed: 11, timeScale: 1, sourceServers: 12 });
    expect(body.accounts).toEqual(expect.arrayContaining([expect.objectContaining({ accountId: '222233334444', roles: ['LifeboatDrsAccess', 'PartnerAudit'] })]));
  });

  it('sets a counted throttling burst that hits exactly its count, then clears it', async () => {
    const { drs } = bed.clients(hubCredentials);
    const set = await control<FaultsView>(bed.handle, 'POST', 'faults', { throttling: { operations: ['DescribeJobs'], count: 2, retryAfterSeconds: 3 } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ faults: { throttling: { operations: ['DescribeJobs'], count: 2, retryAfterSeconds: 3 } }, remaining: { throttling: 2 } });
    const first = await errorOf(drs.send(new DescribeJobsCommand({})));
    expect(first).toBeInstanceOf(ThrottlingException);
    expect((first as ThrottlingException).retryAfterSeconds).toBe('3');
    expect((await control<FaultsView>(bed.handle, 'GET', 'faults')).body.remaining).toEqual({ throttling: 1 });
    await expect(drs.send(new DescribeJobsCommand({}))).rejects.toBeInstanceOf(ThrottlingException);
    await expect(drs.send(new DescribeJobsCommand({}))).resolves.toBeDefined();
    const cleared = await control<FaultsView>(bed.handle, 'DELETE', 'faults');
    expect(cleared.body.faults).toEqual({});
  });

  it('merges into the plan (PATCH or ?merge=true), a null key removing a fault', async () => {
    await control(bed.handle, 'POST', 'faults', { internalErrors: { operations: ['ec2:DescribeInstances'], rate: 1 }, events: { lossRate: 0.5 } });
    const merged = await control<FaultsView>(bed.handle, 'PATCH', 'faults', { throttling: { operations: ['GetCallerIdentity'], count: 1 }, events: null });
    expect(merged.body.faults).toEqual({ internalErrors: { operations: ['ec2:DescribeInstances'], rate: 1 }, throttling: { operations: ['GetCallerIdentity'], count: 1 } });
    const { ec2, sts } = bed.clients(hubCredentials);
    expect((await errorOf(ec2.send(new DescribeInstancesCommand({})))).name).toBe('InternalError');
    expect((await errorOf(sts.send(new GetCallerIdentityCommand({})))).name).toBe('Throttling');
    const again = await control<FaultsView>(bed.handle, 'POST', 'faults?merge=true', { internalErrors: null });
    expect(again.body.faults).toEqual({ throttling: { operations: ['GetCallerIdentity'], count: 1 } });
    await expect(ec2.send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
    await control(bed.handle, 'DELETE', 'faults');
  });

  it('refuses an invalid plan with every problem, and changes nothing', async () => {
    await control(bed.handle, 'POST', 'faults', { throttling: { count: 1 } });
    const bad = await control<{ message: string; problems: string[] }>(bed.handle, 'POST', 'faults', { throttling: { rate: 2 }, flood: true });
    expect(bad.status).toBe(400);
    expect(bad.body.problems).toEqual(expect.arrayContaining([expect.stringContaining('throttling.rate'), expect.stringContaining('flood')]));
    expect((await control<FaultsView>(bed.handle, 'GET', 'faults')).body.faults).toEqual({ throttling: { count: 1 } });
    expect((await control(bed.handle, 'POST', 'faults', { events: null })).status).toBe(400);
    await control(bed.handle, 'DELETE', 'faults');
  });

  it('logs every call of every protocol with service, operation, account, region and outcome', async () => {
    const { drs, ec2, ssm, sts } = bed.clients(hubCredentials, 'eu-west-1');
    const since = bed.handle.edge.callLog.length;
    await drs.send(new DescribeJobsCommand({}));
    await ec2.send(new DescribeInstancesCommand({}));
    await ssm.send(new DescribeInstanceInformationCommand({}));
    await errorOf(ssm.send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'], Parameters: { commands: ['true'] } })));
    await sts.send(new GetCallerIdentityCommand({}));
    const { body } = await control<{ calls: EdgeCallEntry[] }>(bed.handle, 'GET', `calls?since=${since}`);
    expect(body.calls.map((c) => [c.service, c.operation, c.accountId, c.region, c.outcome, c.statusCode, c.errorType ?? null])).toEqual([
      ['drs', 'DescribeJobs', HUB, 'eu-west-1', 'OK', 200, null],
      ['ec2', 'DescribeInstances', HUB, 'eu-west-1', 'OK', 200, null],
      ['ssm', 'DescribeInstanceInformation', HUB, 'eu-west-1', 'OK', 200, null],
      ['ssm', 'SendCommand', HUB, 'eu-west-1', 'ERROR', 400, 'InvalidInstanceId'],
      ['sts', 'GetCallerIdentity', HUB, 'eu-west-1', 'OK', 200, null],
    ]);
    expect(body.calls[0]?.drsSeq).toEqual(expect.any(Number));
    const onlySsm = await control<{ calls: EdgeCallEntry[] }>(bed.handle, 'GET', `calls?service=ssm&since=${since}`);
    expect(onlySsm.body.calls.map((c) => c.operation)).toEqual(['DescribeInstanceInformation', 'SendCommand']);
  });

  it('changes the time scale at run time, and refuses a bad one', async () => {
    expect((await control(bed.handle, 'POST', 'time-scale', { scale: 0.5 })).body).toEqual({ timeScale: 0.5 });
    expect(bed.handle.simulator.timeScale).toBe(0.5);
    expect((await control(bed.handle, 'POST', 'time-scale', { scale: -1 })).status).toBe(400);
    expect((await control(bed.handle, 'POST', 'time-scale', {})).status).toBe(400);
    await control(bed.handle, 'POST', 'time-scale', { scale: 1 });
  });

  it('resets to the fleet as loaded: jobs, calls and SSM commands gone', async () => {
    const { drs } = bed.clients(hubCredentials);
    await bed.launch(drs, ['web-1']);
    expect(bed.handle.simulator.jobs().length).toBeGreaterThan(0);
    expect((await control(bed.handle, 'POST', 'reset')).body).toEqual({ status: 'reset' });
    expect(bed.handle.simulator.jobs()).toEqual([]);
    expect(bed.handle.edge.callLog).toEqual([]);
    expect((await control<{ calls: unknown[] }>(bed.handle, 'GET', 'calls')).body.calls).toEqual([]);
  });

  it('answers 404 with the routes for an unknown control route', async () => {
    const { status, body } = await control<{ message: string }>(bed.handle, 'GET', 'nope');
    expect(status).toBe(404);
    expect(body.message).toContain('POST /_simulator/faults');
  });

  it('draws rate-based faults from the seed: same seed, same calls, same failures', async () => {
    const run = async () => {
      const h = await startDrsSimulator({ fleet: edgeFleet(), seed: 99 });
      const client = new DrsClient({ endpoint: h.url, region: 'us-east-1', credentials: hubCredentials, maxAttempts: 1 });
      try {
        await control(h, 'POST', 'faults', { throttling: { rate: 0.5 } });
        const outcomes: string[] = [];
        for (let i = 0; i < 16; i++) outcomes.push(await client.send(new DescribeJobsCommand({})).then(() => 'ok', (e: Error) => e.name));
        return outcomes;
      } finally {
        client.destroy();
        await h.close();
      }
    };
    const first = await run();
    expect(first).toContain('ThrottlingException');
    expect(first).toContain('ok');
    expect(await run()).toEqual(first);
  });
});
