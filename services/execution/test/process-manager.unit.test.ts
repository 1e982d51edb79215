import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { EventBridgeEnvelope } from '@lifeboat/events';
import { InMemoryJobDirectory } from '../src/adapters/jobs.js';
import { loadExecution, streamIdOf } from '../src/command-handler.js';
import type { ExecutionCommand } from '../src/domain/commands.js';
import type { ServerLaunchRequested } from '../src/domain/events.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { launchBatch } from '../src/process-manager/launch-batch.js';
import type { DrsLaunchResultDetail } from '../src/process-manager/launch-result.js';
import { recordLaunchResult } from '../src/process-manager/launch-result.js';
import { recordVerificationResult } from '../src/process-manager/verification-result.js';
import { EXECUTION_ID, history, jobId, launchResult, plan, recordJob, sid, startExecution } from './support/decider-spec.js';
import { FakeDrs } from './support/fake-drs.js';

const STAGE = 'test';
const clock = () => new Date('2025-01-01T10:00:30.000Z');

let store: InMemoryEventStore;
let drs: FakeDrs;
let jobs: InMemoryJobDirectory;

beforeEach(() => {
  store = new InMemoryEventStore();
  drs = new FakeDrs(clock);
  jobs = new InMemoryJobDirectory();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});

async function given(...commands: ExecutionCommand[]) {
  const events = history(...commands);
  await store.appendToStream(streamIdOf(EXECUTION_ID), 0, events);
  return events;
}

const requests = (events: Awaited<ReturnType<typeof given>>) => events.filter((e): e is ServerLaunchRequested => e.type === 'ServerLaunchRequested');
const deps = () => ({ store, drs, jobs, stage: STAGE, clock });

function drsEvent(job: string, server: number, state: DrsLaunchResultDetail['state'] = 'RECOVERY_LAUNCH_SUCCEEDED'): EventBridgeEnvelope<DrsLaunchResultDetail> {
  return {
    version: '0', id: `evt-${job}-${server}`, 'detail-type': 'DRS Source Server Launch Result', source: 'aws.drs', account: '123456789012', time: '2025-01-01T10:01:00Z', region: 'us-east-1',
    resources: [`arn:aws:drs:us-east-1:123456789012:source-server/${sid(server)}`],
    detail: { state, 'job-id': job, 'is-drill': 'TRUE' },
  };
}

describe('launchBatch (ServerLaunchRequested)', () => {
  it('lets only the batch leader start the job, tagged, once, and records it', async () => {
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
    drs.blindLookups = 1;
    expect(await launchBatch(deps(), leader!)).toBe('recovered-existing-job');
    expect(drs.startCalls).toBe(2);
    expect(drs.jobs).toHaveLength(1);
  });

  it('on ConflictException caused by a job that is not ours, fails so the delivery is retried', async () => {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers: [1] }))));
    drs.busyServers.add(sid(1));
    await expect(launchBatch(deps(), leader!)).rejects.toThrow('active job');
  });

  it('launches nothing for an execution that is no longer running', async () => {
    const events = await given(startExecution(plan({ id: 'w', servers: [1, 2] })), recordJob('w-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1, 'FAILED'));
    expect(await launchBatch(deps(), requests(events)[0]!)).toBe('execution-not-running');
    expect(drs.startCalls).toBe(0);
  });
});

describe('recordLaunchResult (aws.drs)', () => {
  async function started() {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers: [1, 2] }))));
    await launchBatch(deps(), leader!);
    return drs.jobs[0]!.jobId;
  }

  it('records the launch with the recovery instance id DRS reports', async () => {
    const job = await started();
    expect(await recordLaunchResult(deps(), drsEvent(job, 1))).toBe('recorded');
    expect(await recordLaunchResult(deps(), drsEvent(job, 1))).toBe('duplicate');
    const { stored } = await loadExecution(store, EXECUTION_ID);
    expect(stored.at(-1)).toMatchObject({ type: 'ServerLaunched', data: { sourceServerId: sid(1), jobId: job, recoveryInstanceId: drs.jobs[0]!.participatingServers[0]!.recoveryInstanceId } });
  });

  it('finds the execution by the job\'s tags when the jobs table does not know the job yet', async () => {
    const job = await started();
    jobs.records.clear();
    expect(await recordLaunchResult(deps(), drsEvent(job, 2, 'RECOVERY_LAUNCH_FAILED'))).toBe('recorded');
    const { stored } = await loadExecution(store, EXECUTION_ID);
    expect(stored.map((e) => e.type).slice(-3)).toEqual(['ServerLaunchFailed', 'WaveFailed', 'ExecutionFailed']);
    expect(stored.at(-3)?.data).toMatchObject({ reason: 'DRS reported RECOVERY_LAUNCH_FAILED (launch status PENDING)' });
    // Late results after the execution failed change nothing.
    expect(await recordLaunchResult(deps(), drsEvent(job, 1))).toBe('execution-not-running');
  });

  it('ignores jobs that Lifeboat did not start, or that another stage started', async () => {
    const foreign = await drs.startRecovery({ sourceServerIds: [sid(7)], isDrill: true, tags: {} });
    expect(await recordLaunchResult(deps(), drsEvent(foreign.jobId, 7))).toBe('not-lifeboat-job');
    const otherStage = await drs.startRecovery({ sourceServerIds: [sid(8)], isDrill: true, tags: { 'lifeboat:execution-id': EXECUTION_ID, 'lifeboat:stage': 'prod' } });
    expect(await recordLaunchResult(deps(), drsEvent(otherStage.jobId, 8))).toBe('not-lifeboat-job');
  });
});

describe('recordVerificationResult', () => {
  it('records ServerVerified once, keyed by the verification event id', async () => {
    const [leader] = requests(await given(startExecution(plan({ id: 'w', servers: [1] }))));
    await launchBatch(deps(), leader!);
    await recordLaunchResult(deps(), drsEvent(drs.jobs[0]!.jobId, 1));
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
