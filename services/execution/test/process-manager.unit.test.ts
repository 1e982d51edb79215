import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { EventBridgeEnvelope } from '@lifeboat/events';
import { EventValidationError } from '@lifeboat/events';
import { InMemoryJobDirectory } from '../src/adapters/jobs.js';
import type { DrsLaunchQuotas } from '../src/capacity/quotas.js';
import { DEFAULT_DRS_LAUNCH_QUOTAS } from '../src/capacity/quotas.js';
import { InMemoryCapacityStore } from '../src/capacity/store.js';
import { loadExecution, streamIdOf } from '../src/command-handler.js';
import type { ExecutionCommand } from '../src/domain/commands.js';
import type { ServerLaunchRequested } from '../src/domain/events.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { reconcileAll } from '../src/process-manager/job-reconciler.js';
import { launchBatch } from '../src/process-manager/launch-batch.js';
import type { DrsLaunchResultDetail } from '../src/process-manager/launch-result.js';
import type { LaunchResultDeps, LaunchResultOutcome } from '../src/process-manager/launch-result.js';
import { CoalescingJobReader, recordJobLaunchResults } from '../src/process-manager/launch-result.js';
import { launchResultOf } from '../src/handlers/on-drs-launch-result.js';
import { recordVerificationResult } from '../src/process-manager/verification-result.js';
import { ACCOUNT, EXECUTION_ID, history, jobId, launchResult, plan, recordJob, REGION, sid, startExecution } from './support/decider-spec.js';
import { FakeDrs } from './support/fake-drs.js';

const STAGE = 'test';
let now = new Date('2025-01-01T10:00:30.000Z');
const clock = () => now;
const SCOPE = { accountId: ACCOUNT, region: REGION };

let store: InMemoryEventStore;
let drs: FakeDrs;
let jobs: InMemoryJobDirectory;
let capacity: InMemoryCapacityStore;
let quotas: DrsLaunchQuotas;

beforeEach(() => {
  now = new Date('2025-01-01T10:00:30.000Z');
  store = new InMemoryEventStore();
  drs = new FakeDrs(clock);
  jobs = new InMemoryJobDirectory();
  capacity = new InMemoryCapacityStore();
  quotas = { ...DEFAULT_DRS_LAUNCH_QUOTAS };
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

async function given(...commands: ExecutionCommand[]) {
  const events = history(...commands);
  await store.appendToStream(streamIdOf(EXECUTION_ID), 0, events);
  return events;
}

const requests = (events: Awaited<ReturnType<typeof given>>) => events.filter((e): e is ServerLaunchRequested => e.type === 'ServerLaunchRequested');
const leaders = (events: Awaited<ReturnType<typeof given>>) => requests(events).filter((e, i, all) => all.findIndex((o) => o.data.batchId === e.data.batchId) === i);
const deps = () => ({ store, drsIn: async () => drs, jobs, capacity, quotas, stage: STAGE, clock });
const resultDeps = () => { const reader = new CoalescingJobReader(drs, 1); return { ...deps(), jobReaderIn: async () => reader }; };
const ledger = () => capacity.read(SCOPE);

function drsEvent(job: string, server: number, state: DrsLaunchResultDetail['state'] = 'RECOVERY_LAUNCH_SUCCEEDED'): EventBridgeEnvelope<DrsLaunchResultDetail> {
  return {
    version: '0', id: `evt-${job}-${server}`, 'detail-type': 'DRS Source Server Launch Result', source: 'aws.drs', account: ACCOUNT, time: '2025-01-01T10:01:00Z', region: REGION,
    resources: [`arn:aws:drs:us-east-1:123456789012:source-server/${sid(server)}`],
    detail: { state, 'job-id': job, 'is-drill': 'TRUE' },
  };
}

/** One launch result delivered alone: its outcome, or the error that stopped it. */
async function recordLaunchResult(deps: LaunchResultDeps, event: EventBridgeEnvelope<DrsLaunchResultDetail>): Promise<LaunchResultOutcome> {
  const [result] = await recordJobLaunchResults(deps, [event]);
  if (!result || result.outcome === 'failed') throw result?.outcome === 'failed' ? result.error : new Error('no outcome');
  return result.outcome;
}

async function launchedServers(): Promise<string[]> {
  const { stored } = await loadExecution(store, EXECUTION_ID);
  return stored.filter((e) => e.type === 'ServerLaunched').map((e) => (e.data as { sourceServerId: string }).sourceServerId);
}

describe('launchBatch (ServerLaunchRequested)', () => {
  it('lets only the batch leader start the job, tagged, once, holding DRS capacity for it', async () => {
    const [leader, follower] = requests(await given(startExecution(plan({ id: 'w', servers: [1, 2] }))));
    expect(await launchBatch(deps(), follower!)).toBe('not-leader');
    expect(await launchBatch(deps(), leader!)).toBe('started');
    expect(await launchBatch(deps(), leader!)).toBe('already-started');
    expect(drs.startCalls).toBe(1);
    expect(drs.jobs[0]).toMatchObject({ isDrill: true, tags: { 'lifeboat:execution-id': EXECUTION_ID, 'lifeboat:wave-id': 'w', 'lifeboat:batch-id': 'w-b1', 'lifeboat:stage': STAGE } });
    expect(drs.jobs[0]?.participatingServers.map((s) => s.sourceServerId)).toEqual([sid(1), sid(2)]);
    expect(await jobs.get(drs.jobs[0]!.jobId)).toMatchObject({ executionId: EXECUTION_ID, batchId: 'w-b1', waveId: 'w' });
    const { state } = await loadExecution(store, EXECUTION_ID);
    expect(state.status === 'RUNNING' && state.batches.get('w-b1')?.jobId).toBe(drs.jobs[0]?.jobId);
    expect((await ledger()).holdings).toEqual([expect.objectContaining({ key: `${EXECUTION_ID}/w-b1`, servers: 2, jobId: drs.jobs[0]!.jobId })]);
  });

  it('after a crash between StartRecovery and the record, finds the tagged job instead of launching again', async () => {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers: [1] }))));
    const failingJobs = { put: async () => { throw new Error('crash'); }, get: jobs.get.bind(jobs) };
    await expect(launchBatch({ ...deps(), jobs: failingJobs }, leader!)).rejects.toThrow('crash');
    expect(await launchBatch(deps(), leader!)).toBe('recovered-existing-job');
    expect(drs.startCalls).toBe(1);
  });

  it('on ConflictException, records the job that carries the batch\'s tags', async () => {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers: [1] }))));
    await drs.startRecovery({ sourceServerIds: [sid(1)], isDrill: true, tags: { 'lifeboat:execution-id': EXECUTION_ID, 'lifeboat:wave-id': 'w', 'lifeboat:batch-id': 'w-b1', 'lifeboat:stage': STAGE } });
    expect(await launchBatch(deps(), leader!)).toBe('recovered-existing-job');
    expect(drs.startCalls).toBe(2);
    expect(drs.jobs).toHaveLength(1);
  });

  it('on ConflictException caused by a job that is not ours, backs off and starts the batch once the server is free', async () => {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers: [1] }))));
    drs.busyServers.add(sid(1));
    expect(await launchBatch(deps(), leader!)).toBe('backing-off');
    expect(await ledger()).toMatchObject({ holdings: [], waiting: [{ key: `${EXECUTION_ID}/w-b1`, notBefore: '2025-01-01T10:01:00.000Z' }] });

    drs.busyServers.clear();
    await reconcileAll(deps());
    expect(drs.jobs).toHaveLength(0);
    now = new Date('2025-01-01T10:01:00.000Z');
    expect((await reconcileAll(deps())).admitted).toBe(1);
    expect(drs.jobs).toHaveLength(1);
  });

  it('when DRS refuses the batch for good, records its servers as failed to launch and frees the capacity', async () => {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers: [1, -2] }))));
    drs.unknownServers.add(sid(2));
    expect(await launchBatch(deps(), leader!)).toBe('refused');
    const { stored } = await loadExecution(store, EXECUTION_ID);
    expect(stored.filter((e) => e.type === 'ServerLaunchFailed').map((e) => e.data)).toEqual([
      expect.objectContaining({ sourceServerId: sid(1), reason: expect.stringContaining('source server not found') }),
      expect.objectContaining({ sourceServerId: sid(2) }),
    ]);
    expect(await ledger()).toEqual({ holdings: [], waiting: [] });
  });

  it('launches nothing for an execution that is no longer running', async () => {
    const events = await given(startExecution(plan({ id: 'w', servers: [1, 2] })), recordJob('w-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1, 'FAILED'));
    expect(await launchBatch(deps(), requests(events)[0]!)).toBe('execution-not-running');
    expect(drs.startCalls).toBe(0);
  });
});

describe('the DRS capacity ledger shared by launches', () => {
  it('queues what does not fit in the quotas and starts it, in order, when a job completes', async () => {
    // Given quotas of 2 jobs and 4 servers in flight, and three waves ready at once
    quotas = { serversPerJob: 100, concurrentJobs: 2, serversInActiveJobs: 4 };
    const events = await given(startExecution(plan({ id: 'a', servers: [1, 2] }, { id: 'b', servers: [3] }, { id: 'c', servers: [4, 5] })));
    // When their leaders ask to launch
    const outcomes = [];
    for (const leader of leaders(events)) outcomes.push(await launchBatch(deps(), leader));
    // Then two start and the third waits
    expect(outcomes).toEqual(['started', 'started', 'queued']);
    expect(drs.startCalls).toBe(2);
    expect((await ledger()).waiting.map((w) => w.batchId)).toEqual(['c-b1']);

    // When the first job completes (its results arrive)
    const [first] = drs.jobs;
    drs.finish(first!.jobId, sid(1));
    drs.finish(first!.jobId, sid(2));
    expect(await recordLaunchResult(resultDeps(), drsEvent(first!.jobId, 2))).toBe('recorded');
    // Then both of its servers are recorded from one DescribeJobs, and the waiting batch starts
    expect(await launchedServers()).toEqual([sid(1), sid(2)]);
    expect(drs.jobs.map((j) => j.tags['lifeboat:batch-id'])).toEqual(['a-b1', 'b-b1', 'c-b1']);
    expect((await ledger()).holdings.map((h) => h.batchId)).toEqual(['b-b1', 'c-b1']);
    expect(drs.startCalls).toBe(3);
  });

  it('shares the capacity between executions: a second execution waits behind the first', async () => {
    quotas = { serversPerJob: 100, concurrentJobs: 1, serversInActiveJobs: 500 };
    const first = await given(startExecution(plan({ id: 'a', servers: [1] })));
    const secondStore = new InMemoryEventStore();
    const secondEvents = history(startExecution(plan({ id: 'a', servers: [2] })));
    const secondId = '01J9Z3Q8W5R7T2Y4V6K8M0P2AT';
    await secondStore.appendToStream(streamIdOf(secondId), 0, secondEvents.map((e) => ({ ...e, data: { ...(e.data as object), executionId: secondId } } as typeof e)));
    expect(await launchBatch(deps(), leaders(first)[0]!)).toBe('started');
    const second = requests(secondEvents)[0]!;
    expect(await launchBatch({ ...deps(), store: secondStore }, { ...second, data: { ...second.data, executionId: secondId } })).toBe('queued');
    expect((await ledger()).waiting).toEqual([expect.objectContaining({ executionId: secondId })]);
  });

  it('a lost launch event does not stall the execution: the reconciler records it from DescribeJobs', async () => {
    const events = await given(startExecution(plan({ id: 'w', servers: [1, 2] })));
    await launchBatch(deps(), leaders(events)[0]!);
    const job = drs.jobs[0]!.jobId;
    drs.finish(job, sid(1));
    drs.finish(job, sid(2), 'FAILED');
    // no event arrives at all
    const pass = await reconcileAll(deps());
    expect(pass).toMatchObject({ jobs: 1, recorded: 2, released: 1 });
    const { stored } = await loadExecution(store, EXECUTION_ID);
    expect(stored.filter((e) => e.type === 'ServerLaunched' || e.type === 'ServerLaunchFailed').map((e) => [e.type, (e.data as { sourceServerId: string }).sourceServerId])).toEqual([['ServerLaunched', sid(1)], ['ServerLaunchFailed', sid(2)]]);
    expect(await ledger()).toEqual({ holdings: [], waiting: [] });
    // and a late or duplicated event changes nothing
    expect(await recordLaunchResult(resultDeps(), drsEvent(job, 1))).toBe('duplicate');
    expect((await reconcileAll(deps())).jobs).toBe(0);
  });

  it('restarts a batch whose start crashed after it was admitted, finding its job rather than starting another', async () => {
    const events = await given(startExecution(plan({ id: 'w', servers: [1] })));
    const failingJobs = { put: async () => { throw new Error('crash'); }, get: jobs.get.bind(jobs) };
    await expect(launchBatch({ ...deps(), jobs: failingJobs }, leaders(events)[0]!)).rejects.toThrow('crash');
    now = new Date(now.getTime() + 61_000);
    await reconcileAll(deps());
    expect(drs.startCalls).toBe(1);
    const { state } = await loadExecution(store, EXECUTION_ID);
    expect(state.status === 'RUNNING' && state.batches.get('w-b1')?.jobId).toBe(drs.jobs[0]?.jobId);
  });
});

describe('recording DRS launch results (aws.drs)', () => {
  async function started() {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers: [1, 2] }))));
    await launchBatch(deps(), leader!);
    return drs.jobs[0]!.jobId;
  }

  it('records the launch with the recovery instance id DRS reports, once', async () => {
    const job = await started();
    expect(await recordLaunchResult(resultDeps(), drsEvent(job, 1))).toBe('recorded');
    expect(await recordLaunchResult(resultDeps(), drsEvent(job, 1))).toBe('duplicate');
    const { stored } = await loadExecution(store, EXECUTION_ID);
    expect(stored.at(-1)).toMatchObject({ type: 'ServerLaunched', data: { sourceServerId: sid(1), jobId: job, recoveryInstanceId: drs.jobs[0]!.participatingServers[0]!.recoveryInstanceId } });
  });

  it('reads the job once for results arriving together', async () => {
    const job = await started();
    drs.finish(job, sid(1));
    drs.finish(job, sid(2));
    const reader = new CoalescingJobReader(drs, 5);
    const before = drs.describeCalls;
    const outcomes = await Promise.all([recordLaunchResult({ ...deps(), jobReaderIn: async () => reader }, drsEvent(job, 1)), recordLaunchResult({ ...deps(), jobReaderIn: async () => reader }, drsEvent(job, 2))]);
    expect(outcomes).toContain('recorded');
    expect(drs.describeCalls - before).toBe(1);
    expect(await launchedServers()).toEqual([sid(1), sid(2)]);
  });

  it('answers the later results of a completed job, all recorded, without reading the job again', async () => {
    // given a job whose servers have both launched, and the first result recorded both
    const job = await started();
    drs.finish(job, sid(1));
    drs.finish(job, sid(2));
    const reader = new CoalescingJobReader(drs, 1);
    const withReader = { ...deps(), jobReaderIn: async () => reader };
    expect(await recordLaunchResult(withReader, drsEvent(job, 1))).toBe('recorded');
    const calls = drs.describeCalls;
    // when the second result arrives, then it is a duplicate and DRS is not asked
    expect(await recordLaunchResult(withReader, drsEvent(job, 2))).toBe('duplicate');
    expect(drs.describeCalls).toBe(calls);
    expect(await launchedServers()).toEqual([sid(1), sid(2)]);
  });

  it('finds the execution by the job\'s tags when the jobs table does not know the job yet', async () => {
    const job = await started();
    jobs.records.clear();
    expect(await recordLaunchResult(resultDeps(), drsEvent(job, 2, 'RECOVERY_LAUNCH_FAILED'))).toBe('recorded');
    const { stored } = await loadExecution(store, EXECUTION_ID);
    expect(stored.map((e) => e.type).slice(-3)).toEqual(['ServerLaunchFailed', 'WaveFailed', 'ExecutionFailed']);
    expect(stored.at(-3)?.data).toMatchObject({ reason: 'DRS reported RECOVERY_LAUNCH_FAILED' });
    // Late results after the execution failed change nothing.
    expect(await recordLaunchResult(resultDeps(), drsEvent(job, 1))).toBe('duplicate');
  });

  it('records a batch of results with one read and one reconciliation per job, and fails only the job that could not be read', async () => {
    // given a job whose two servers launched, and another account where DRS throttles DescribeJobs
    const job = await started();
    drs.finish(job, sid(1));
    drs.finish(job, sid(2));
    const reader = new CoalescingJobReader(drs, 1);
    const before = drs.describeCalls;
    const throttled = new FakeDrs(clock);
    throttled.describeJobs = async () => { throw new Error('ThrottlingException'); };
    const failing = new CoalescingJobReader(throttled, 1);
    const otherScope = { ...drsEvent(job, 2), account: '210987654321', id: 'other-account' };
    // when the queue hands over both results of the job, the same result again, and one of another account
    const outcomes = await recordJobLaunchResults({ ...deps(), jobReaderIn: async (scope) => (scope.accountId === ACCOUNT ? reader : failing) }, [drsEvent(job, 1), drsEvent(job, 2), drsEvent(job, 1), otherScope]);
    // then the job was read once and its servers recorded once; the other account's result alone failed
    expect(outcomes.map((o) => o.outcome)).toEqual(['recorded', 'recorded', 'recorded', 'failed']);
    expect(drs.describeCalls - before).toBe(1);
    expect(await launchedServers()).toEqual([sid(1), sid(2)]);
    // and the job being complete, a later delivery of its results is answered without DRS
    expect((await recordJobLaunchResults({ ...deps(), jobReaderIn: async () => reader }, [drsEvent(job, 2)])).map((o) => o.outcome)).toEqual(['duplicate']);
    expect(drs.describeCalls - before).toBe(1);
  });

  it('ignores jobs that Lifeboat did not start, or that another stage started', async () => {
    const foreign = await drs.startRecovery({ sourceServerIds: [sid(7)], isDrill: true, tags: {} });
    expect(await recordLaunchResult(resultDeps(), drsEvent(foreign.jobId, 7))).toBe('not-lifeboat-job');
    const otherStage = await drs.startRecovery({ sourceServerIds: [sid(8)], isDrill: true, tags: { 'lifeboat:execution-id': EXECUTION_ID, 'lifeboat:stage': 'prod' } });
    expect(await recordLaunchResult(resultDeps(), drsEvent(otherStage.jobId, 8))).toBe('not-lifeboat-job');
  });
});

describe('the EC2 instances of launched servers (DescribeRecoveryInstances)', () => {
  /** ServerLaunched data of the stream, by source server. */
  async function launchedData(): Promise<Map<string, { recoveryInstanceId?: string; ec2InstanceId?: string }>> {
    const { stored } = await loadExecution(store, EXECUTION_ID);
    return new Map(stored.filter((e) => e.type === 'ServerLaunched').map((e) => {
      const data = e.data as { sourceServerId: string; recoveryInstanceId?: string; ec2InstanceId?: string };
      return [data.sourceServerId, data];
    }));
  }

  async function startedJob(servers: number[]): Promise<string> {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers }))));
    expect(await launchBatch(deps(), leader!)).toBe('started');
    return drs.jobs[0]!.jobId;
  }

  it('records the EC2 instance of each server launched, asking DRS once for the job read', async () => {
    // given a job whose two servers launched
    const job = await startedJob([1, 2]);
    drs.finish(job, sid(1));
    drs.finish(job, sid(2));
    const [first, second] = drs.jobs[0]!.participatingServers.map((s) => s.recoveryInstanceId!);

    // when the first launch result arrives
    expect(await recordLaunchResult(resultDeps(), drsEvent(job, 1))).toBe('recorded');

    // then both servers are recorded with the EC2 instance behind their recovery instance, from one call
    expect(drs.recoveryInstanceCalls).toEqual([[first, second]]);
    const launched = await launchedData();
    expect(launched.get(sid(1))).toMatchObject({ recoveryInstanceId: first, ec2InstanceId: drs.ec2InstanceIdOf(first!) });
    expect(launched.get(sid(2))).toMatchObject({ recoveryInstanceId: second, ec2InstanceId: drs.ec2InstanceIdOf(second!) });
  });

  it('asks one DescribeRecoveryInstances per job read for the 100 results of a job arriving together', async () => {
    // given a job of 100 servers that all launched
    const servers = Array.from({ length: 100 }, (_, i) => i + 1);
    const job = await startedJob(servers);
    expect(drs.jobs[0]!.participatingServers).toHaveLength(100);
    for (const n of servers) drs.finish(job, sid(n));
    const reader = new CoalescingJobReader(drs, 5);
    const reads = drs.describeCalls;

    // when their 100 launch results arrive at once
    const outcomes = await Promise.all(servers.map((n) => recordLaunchResult({ ...deps(), jobReaderIn: async () => reader }, drsEvent(job, n))));

    // then one DescribeJobs and one DescribeRecoveryInstances (of the 100 recovery instances) recorded them all, each with its EC2 instance
    expect(outcomes).toContain('recorded');
    expect(drs.describeCalls - reads).toBe(1);
    expect(drs.recoveryInstanceCalls).toHaveLength(1);
    expect(new Set(drs.recoveryInstanceCalls[0])).toEqual(new Set(drs.jobs[0]!.participatingServers.map((s) => s.recoveryInstanceId)));
    const launched = await launchedData();
    expect(launched.size).toBe(100);
    for (const s of drs.jobs[0]!.participatingServers) expect(launched.get(s.sourceServerId)?.ec2InstanceId).toBe(drs.ec2InstanceIdOf(s.recoveryInstanceId!));
  });

  it('the reconciler records the EC2 instances of the launches whose events were lost, with one call per job read', async () => {
    // given a job of two servers, one launched and one failed, and no event at all
    const job = await startedJob([1, 2]);
    drs.finish(job, sid(1));
    drs.finish(job, sid(2), 'FAILED');

    // when the reconciler passes, and passes again
    expect(await reconcileAll(deps())).toMatchObject({ jobs: 1, recorded: 2 });
    await reconcileAll(deps());

    // then the launched one carries its EC2 instance, asked for it alone, once
    const recoveryInstanceId = drs.jobs[0]!.participatingServers[0]!.recoveryInstanceId!;
    expect(drs.recoveryInstanceCalls).toEqual([[recoveryInstanceId]]);
    expect((await launchedData()).get(sid(1))).toMatchObject({ recoveryInstanceId, ec2InstanceId: drs.ec2InstanceIdOf(recoveryInstanceId) });
  });

  it('records the launches without EC2 instances when DescribeRecoveryInstances fails, and warns', async () => {
    // given a job whose servers launched, and DRS failing DescribeRecoveryInstances
    const job = await startedJob([1, 2]);
    drs.finish(job, sid(1));
    drs.finish(job, sid(2));
    drs.recoveryInstancesError = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    warn.mockClear();

    // when the launch result arrives
    expect(await recordLaunchResult(resultDeps(), drsEvent(job, 1))).toBe('recorded');

    // then both launches are recorded, without EC2 instance (verification looks for it), and the failure is logged
    const launched = await launchedData();
    expect([...launched.keys()]).toEqual([sid(1), sid(2)]);
    for (const data of launched.values()) {
      expect(data.recoveryInstanceId).toBeDefined();
      expect(data.ec2InstanceId).toBeUndefined();
    }
    expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)) as { message: string; error: { name: string } })).toEqual([
      expect.objectContaining({ message: expect.stringContaining('DescribeRecoveryInstances failed'), error: { name: 'ThrottlingException', message: 'Rate exceeded' } }),
    ]);
  });

  it('does not ask DRS for the instances of a launch it cannot record (the execution has finished)', async () => {
    // given an execution failed by a critical server, whose sibling launches afterwards
    const job = await startedJob([1, 2]);
    drs.finish(job, sid(2), 'FAILED');
    expect(await recordLaunchResult(resultDeps(), drsEvent(job, 2, 'RECOVERY_LAUNCH_FAILED'))).toBe('recorded');
    drs.finish(job, sid(1));

    // when its result arrives
    expect(await recordLaunchResult(resultDeps(), drsEvent(job, 1))).toBe('duplicate');

    // then DRS was not asked for its EC2 instance
    expect(drs.recoveryInstanceCalls).toEqual([]);
  });
});

describe('recordVerificationResult', () => {
  it('records ServerVerified once, keyed by the verification event id', async () => {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers: [1] }))));
    await launchBatch(deps(), leader!);
    await recordLaunchResult(resultDeps(), drsEvent(drs.jobs[0]!.jobId, 1));
    const verified = {
      type: 'ServerVerified',
      data: { executionId: EXECUTION_ID, waveId: 'w', sourceServerId: sid(1), accountId: '123456789012', region: 'us-east-1', ec2InstanceId: 'i-0abc', checks: [{ name: 'ssm-agent', status: 'PASSED' as const, durationMs: 10 }] },
      metadata: { eventId: '01JB00000000000000000000AA', schemaVersion: 1, occurredAt: '2025-01-01T10:02:00.000Z', correlationId: EXECUTION_ID, causationId: null, actor: { type: 'service' as const, id: 'lifeboat-verification' } },
    };
    expect(await recordVerificationResult({ store, clock }, verified)).toBe('recorded');
    expect(await recordVerificationResult({ store, clock }, verified)).toBe('execution-not-running');
    const { stored } = await loadExecution(store, EXECUTION_ID);
    expect(stored.map((e) => e.type).slice(-3)).toEqual(['ServerVerificationRecorded', 'WaveCompleted', 'ExecutionCompleted']);
    expect(stored.at(-3)?.data).toMatchObject({ outcome: 'VERIFIED', verificationEventId: '01JB00000000000000000000AA', ec2InstanceId: 'i-0abc' });
  });
});

describe('the launch results the queue hands over (onDrsLaunchResult)', () => {
  it('reads an SQS body as the DRS event EventBridge sent, and refuses anything else', () => {
    // given the body of a launch result, and bodies that are not one
    const event = drsEvent(jobId(1), 1);
    // then the event is read back as sent
    expect(launchResultOf(JSON.stringify(event))).toEqual(event);
    // and a body that is not JSON, another DRS event, or a launch result of another shape is refused
    expect(() => launchResultOf('not json')).toThrow(/not JSON/);
    expect(() => launchResultOf(JSON.stringify({ ...event, 'detail-type': 'DRS Source Server Data Replication Stalled Change' }))).toThrow(/mis-wired/);
    expect(() => launchResultOf(JSON.stringify({ ...event, detail: { state: 'LAUNCHED_MAYBE', 'job-id': jobId(1) } }))).toThrow(EventValidationError);
  });
});
