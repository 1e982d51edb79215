import { afterAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DescribeJobsCommand, DescribeRecoveryInstancesCommand, DescribeRecoverySnapshotsCommand, DrsClient, StartRecoveryCommand, TerminateRecoveryInstancesCommand } from '@aws-sdk/client-drs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { PlanStep } from '@lifeboat/service-api';
import { stubClient } from '@lifeboat/testing';
import { DrsRecoveryInstanceTerminator, DrsRecoveryJobs, DrsRecoverySnapshots } from '../src/adapters/drs.js';
import { InMemoryJobDirectory } from '../src/adapters/jobs.js';
import { LambdaFunctionInvoker } from '../src/adapters/lambda.js';
import { atExpressionOf, EventBridgeTimerSchedules, scheduleNameOf } from '../src/adapters/scheduler.js';
import { SsmCommandRunner } from '../src/adapters/ssm.js';
import { loadExecution, streamIdOf, toExecutionEvents } from '../src/command-handler.js';
import type { ExecutionCommand } from '../src/domain/commands.js';
import type { ExecutionEvent, ExecutionEventType } from '../src/domain/events.js';
import { InMemoryEventStore } from '../src/event-store/in-memory.js';
import { cleanUpDrill } from '../src/process-manager/cleanup.js';
import { excerpt } from '../src/process-manager/excerpt.js';
import { launchBatch } from '../src/process-manager/launch-batch.js';
import { DEFAULT_DRS_LAUNCH_QUOTAS } from '../src/capacity/quotas.js';
import { InMemoryCapacityStore } from '../src/capacity/store.js';
import { runStep } from '../src/process-manager/steps.js';
import { parseTimerFiring, recordTimerElapsed, scheduleTimer } from '../src/process-manager/timers.js';
import { cleanup, EXECUTION_ID, history, instanceId, launchAndVerify, plan, sid, startExecution, startWith, withWave } from './support/decider-spec.js';

const scheduler = stubClient(SchedulerClient);
const ssmStub = stubClient(SSMClient);
const lambdaStub = stubClient(LambdaClient);
const drsStub = stubClient(DrsClient);
afterAll(() => {
  scheduler.restore();
  ssmStub.restore();
  lambdaStub.restore();
  drsStub.restore();
});

const TIMER_FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:lifeboat-execution-test-timerElapsed';
const TIMER_ROLE = 'arn:aws:iam::123456789012:role/lifeboat-execution-test-TimerSchedulerRole';
const DLQ = 'arn:aws:sqs:us-east-1:123456789012:lifeboat-execution-test-dlq';

let store: InMemoryEventStore;
let now: Date;
const clock = () => now;

beforeEach(() => {
  store = new InMemoryEventStore();
  scheduler.reset();
  ssmStub.reset();
  lambdaStub.reset();
  drsStub.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

async function given(...commands: ExecutionCommand[]): Promise<ExecutionEvent[]> {
  const events = history(...commands);
  await store.appendToStream(streamIdOf(EXECUTION_ID), 0, events);
  const last = events.at(-1);
  now = new Date(Date.parse(last?.metadata.occurredAt ?? '2025-01-01T10:00:00.000Z') + 1000);
  return events;
}

function last<T extends ExecutionEventType>(events: readonly ExecutionEvent[], type: T): Extract<ExecutionEvent, { type: T }> {
  const found = events.filter((e): e is Extract<ExecutionEvent, { type: T }> => e.type === type).at(-1);
  if (!found) throw new Error(`no ${type} in ${events.map((e) => e.type).join(', ')}`);
  return found;
}

async function stream(): Promise<ExecutionEvent[]> {
  return toExecutionEvents(await store.readStream(streamIdOf(EXECUTION_ID)));
}

const wait = (stepId: string, durationSeconds: number): PlanStep => ({ stepId, type: 'WAIT', name: `wait ${stepId}`, durationSeconds });
const ssmStep = (stepId: string, targets: number[], timeoutSeconds = 600): PlanStep => ({
  stepId, type: 'SSM_DOCUMENT', name: `check ${stepId}`, documentName: 'AWS-RunShellScript', documentVersion: '$DEFAULT',
  parameters: { commands: ['systemctl is-active app'] }, targetServerIds: targets.map(sid), timeoutSeconds, onFailure: 'FAIL',
});
const lambdaStep = (stepId: string): PlanStep => ({
  stepId, type: 'LAMBDA', name: `dns ${stepId}`, functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:flip-dns', payload: { zone: 'example.com' }, timeoutSeconds: 300, onFailure: 'FAIL',
});

describe('timers (TimerScheduled -> EventBridge Scheduler -> timerElapsed)', () => {
  const schedules = () => new EventBridgeTimerSchedules({ functionArn: TIMER_FUNCTION, roleArn: TIMER_ROLE, deadLetterQueueArn: DLQ }, new SchedulerClient({}));

  it('names schedules within Scheduler\'s pattern and 64 characters, distinct per timer', () => {
    expect(scheduleNameOf('exec-1', 'drill-ttl')).toBe('exec-1-drill-ttl');
    const name = scheduleNameOf(EXECUTION_ID, 'wait:db-pre-1');
    expect(name).toMatch(/^[0-9a-zA-Z\-_.]{1,64}$/);
    expect(name.startsWith(`${EXECUTION_ID}-wait-db-pre-1-`)).toBe(true);
    expect(name).not.toBe(scheduleNameOf(EXECUTION_ID, 'wait-db-pre-1'));
    const long = scheduleNameOf(EXECUTION_ID, `timeout:${'x'.repeat(80)}`);
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^[0-9a-zA-Z\-_.]+$/);
    expect(atExpressionOf(new Date('2025-01-01T10:00:05.200Z'))).toBe('at(2025-01-01T10:00:06)');
    expect(atExpressionOf(new Date('2025-01-01T10:00:05.000Z'))).toBe('at(2025-01-01T10:00:05)');
  });

  it('creates a one-time schedule of timerElapsed at fireAt; an existing schedule is this timer\'s', async () => {
    const events = await given(startExecution(withWave(plan({ id: 'db', servers: [1] }), 'db', { preSteps: [wait('pause', 90)] })));
    const timer = last(events, 'TimerScheduled');
    scheduler.on(CreateScheduleCommand).resolvesOnce({ ScheduleArn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/default/x' }).rejects(new ConflictException({ message: 'Schedule already exists', Message: 'Schedule already exists', $metadata: {} }));

    expect(await scheduleTimer({ store, schedules: schedules(), clock }, timer)).toBe('scheduled');
    expect(await scheduleTimer({ store, schedules: schedules(), clock }, timer)).toBe('already-scheduled');

    const calls = scheduler.commandCalls(CreateScheduleCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toEqual({
      Name: scheduleNameOf(EXECUTION_ID, 'wait:pause'),
      GroupName: 'default',
      ScheduleExpression: atExpressionOf(new Date(timer.data.fireAt)),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: TIMER_FUNCTION,
        RoleArn: TIMER_ROLE,
        Input: JSON.stringify({ executionId: EXECUTION_ID, timerId: 'wait:pause' }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 20 },
        DeadLetterConfig: { Arn: DLQ },
      },
    });
    expect(timer.data.fireAt).toBe(new Date(Date.parse(timer.metadata.occurredAt) + 90_000).toISOString());
  });

  it('records a firing once: the WAIT step completes; duplicates and unknown timers decide nothing', async () => {
    await given(startExecution(withWave(plan({ id: 'db', servers: [1] }), 'db', { preSteps: [wait('pause', 90)] })));
    const firing = parseTimerFiring(JSON.stringify({ executionId: EXECUTION_ID, timerId: 'wait:pause' }));
    expect(await recordTimerElapsed({ store, clock }, firing)).toBe('recorded');
    expect(await recordTimerElapsed({ store, clock }, firing)).toBe('duplicate');
    expect(await recordTimerElapsed({ store, clock }, { executionId: EXECUTION_ID, timerId: 'nope' })).toBe('ignored');
    const types = (await stream()).map((e) => e.type);
    expect(types.filter((t) => t === 'TimerElapsed')).toHaveLength(1);
    expect(types.slice(-3)).toEqual(['TimerElapsed', 'StepCompleted', 'ServerLaunchRequested']);
    expect(() => parseTimerFiring({ executionId: EXECUTION_ID })).toThrow('timerElapsed needs');
  });

  it('records a timer due now (a late delivery) directly, and schedules nothing for an elapsed one', async () => {
    const events = await given(startExecution(withWave(plan({ id: 'db', servers: [1] }), 'db', { preSteps: [wait('pause', 90)] })));
    const timer = last(events, 'TimerScheduled');
    now = new Date(Date.parse(timer.data.fireAt) + 5_000);
    expect(await scheduleTimer({ store, schedules: schedules(), clock }, timer)).toBe('recorded-now');
    expect(await scheduleTimer({ store, schedules: schedules(), clock }, timer)).toBe('already-elapsed');
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect((await stream()).filter((e) => e.type === 'TimerElapsed')).toHaveLength(1);
  });
});

describe('steps (StepStarted -> SSM Run Command / Lambda Invoke -> RecordStepResult)', () => {
  const deps = (remainingMs = 600_000) => ({ store, ssm: new SsmCommandRunner(new SSMClient({})), lambda: new LambdaFunctionInvoker(new LambdaClient({})), clock, remainingMs: () => remainingMs, sleep: async (ms: number) => { now = new Date(now.getTime() + ms); } });
  const postSsm = (timeoutSeconds = 600) => [startExecution(withWave(plan({ id: 'db', servers: [1, 2] }), 'db', { postSteps: [ssmStep('check', [1, 2], timeoutSeconds)] })), ...launchAndVerify('db', 1, 1, [1, 2])];

  it('sends the document to the recovered instances of the targets, polls each, records SUCCEEDED with an excerpt, once', async () => {
    const events = await given(...postSsm());
    const started = last(events, 'StepStarted');
    ssmStub.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [] });
    ssmStub.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    ssmStub.on(GetCommandInvocationCommand)
      .resolvesOnce({ Status: 'InProgress' })
      .resolvesOnce({ Status: 'Success', StandardOutputContent: 'active\n' })
      .resolves({ Status: 'Success', StandardOutputContent: 'active\n' });

    expect(await runStep(deps(), started)).toBe('succeeded');
    expect(await runStep(deps(), started)).toBe('not-running');

    expect(ssmStub.commandCalls(SendCommandCommand).map((c) => c.args[0].input)).toEqual([{
      DocumentName: 'AWS-RunShellScript',
      DocumentVersion: '$DEFAULT',
      Parameters: { commands: ['systemctl is-active app'] },
      InstanceIds: [instanceId(1), instanceId(2)],
      Comment: `lifeboat ${EXECUTION_ID} check`,
      TimeoutSeconds: 600,
    }]);
    expect(ssmStub.commandCalls(GetCommandInvocationCommand).map((c) => c.args[0].input)).toEqual([
      { CommandId: 'cmd-1', InstanceId: instanceId(1) },
      { CommandId: 'cmd-1', InstanceId: instanceId(2) },
      { CommandId: 'cmd-1', InstanceId: instanceId(1) },
    ]);
    const completed = last(await stream(), 'StepCompleted');
    expect(completed.data).toMatchObject({ stepId: 'check', stepType: 'SSM_DOCUMENT', output: `[${instanceId(1)}] Success\nactive\n[${instanceId(2)}] Success\nactive` });
  });

  it('finds the command a previous delivery sent instead of sending it again; a failure on one instance fails the step', async () => {
    const events = await given(...postSsm());
    ssmStub.on(ListCommandInvocationsCommand).resolves({ CommandInvocations: [{ CommandId: 'cmd-0', Comment: `lifeboat ${EXECUTION_ID} check`, InstanceId: instanceId(1) }] });
    ssmStub.on(GetCommandInvocationCommand).callsFake((input) => (input.InstanceId === instanceId(1) ? { Status: 'Success' } : { Status: 'Failed', StandardErrorContent: 'inactive' }));

    expect(await runStep(deps(), last(events, 'StepStarted'))).toBe('failed');
    expect(ssmStub.commandCalls(SendCommandCommand)).toHaveLength(0);
    expect(ssmStub.commandCalls(ListCommandInvocationsCommand)[0]?.args[0].input.Filters).toEqual([
      { key: 'InvokedAfter', value: new Date(Date.parse(last(events, 'StepStarted').metadata.occurredAt) - 300_000).toISOString() },
      { key: 'DocumentName', value: 'AWS-RunShellScript' },
    ]);
    const failed = last(await stream(), 'StepFailed');
    expect(failed.data.reason).toContain(`did not succeed on ${instanceId(2)} (Failed)`);
    expect(failed.data.reason).toContain('stderr: inactive');
  });

  it('leaves a command still running at the step\'s timeout to the timeout timer', async () => {
    const events = await given(...postSsm(60));
    ssmStub.on(ListCommandInvocationsCommand).resolves({});
    ssmStub.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    ssmStub.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
    expect(await runStep(deps(), last(events, 'StepStarted'))).toBe('left-to-timeout');
    expect((await stream()).map((e) => e.type)).not.toContain('StepCompleted');
  });

  it('invokes a LAMBDA step\'s function with its payload and ids: an answer succeeds, a FunctionError fails', async () => {
    const events = await given(startExecution(withWave(plan({ id: 'db', servers: [1] }, { id: 'app', servers: [2] }), 'db', { preSteps: [lambdaStep('dns')] })));
    lambdaStub.on(InvokeCommand).resolves({ StatusCode: 200, Payload: new TextEncoder().encode('{"flipped":true}') as never });
    const started = last(events, 'StepStarted');
    expect(await runStep(deps(), started)).toBe('succeeded');
    expect(await runStep(deps(), started)).toBe('not-running');
    const calls = lambdaStub.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect({ ...input, Payload: JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)) as unknown }).toEqual({
      FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:flip-dns',
      InvocationType: 'RequestResponse',
      Payload: { zone: 'example.com', executionId: EXECUTION_ID, waveId: 'db', stepId: 'dns' },
    });
    expect(last(await stream(), 'StepCompleted').data.output).toBe('{"flipped":true}');

    store = new InMemoryEventStore();
    const again = await given(startExecution(withWave(plan({ id: 'db', servers: [1] }), 'db', { preSteps: [lambdaStep('dns')] })));
    lambdaStub.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{"errorMessage":"boom"}') as never });
    expect(await runStep(deps(), last(again, 'StepStarted'))).toBe('failed');
    expect(last(await stream(), 'StepFailed').data.reason).toContain('failed (Unhandled): {"errorMessage":"boom"}');
  });

  it('cuts outputs to 2 KB', () => {
    expect(Buffer.byteLength(excerpt('é'.repeat(5000)))).toBeLessThanOrEqual(2048);
    expect(excerpt('short')).toBe('short');
  });
});

describe('points in time (ServerLaunchRequested -> StartRecovery with recoverySnapshotID)', () => {
  const deps = () => ({ store, drsIn: async () => new DrsRecoveryJobs(new DrsClient({})), jobs: new InMemoryJobDirectory(), capacity: new InMemoryCapacityStore(), quotas: DEFAULT_DRS_LAUNCH_QUOTAS, stage: 'test', clock, snapshotsIn: async () => new DrsRecoverySnapshots(new DrsClient({})) });
  const job = (servers: number[]) => ({ job: { jobID: 'drsjob-00000000000000001', tags: {}, participatingServers: servers.map((n) => ({ sourceServerID: sid(n) })) } });

  it('passes a chosen snapshot and the latest snapshot before a time', async () => {
    const events = await given(startWith(plan({ id: 'w', servers: [1, 2, 3] }), {
      pointsInTime: [
        { sourceServerId: sid(1), pointInTime: { type: 'SNAPSHOT', snapshotId: 'pit-0000000000000000a' } },
        { sourceServerId: sid(2), pointInTime: { type: 'LATEST_BEFORE', before: '2024-12-31T23:00:00.000Z' } },
      ],
    }));
    drsStub.on(DescribeJobsCommand).resolves({ items: [] });
    drsStub.on(DescribeRecoverySnapshotsCommand).resolves({ items: [{ snapshotID: 'pit-0000000000000000b', sourceServerID: sid(2), expectedTimestamp: '2024-12-31T22:50:00Z', timestamp: '2024-12-31T22:50:00Z' }] });
    drsStub.on(StartRecoveryCommand).resolves(job([1, 2, 3]));
    const leader = events.find((e) => e.type === 'ServerLaunchRequested')!;

    expect(await launchBatch(deps(), leader)).toBe('started');
    expect(drsStub.commandCalls(DescribeRecoverySnapshotsCommand).map((c) => c.args[0].input)).toEqual([
      { sourceServerID: sid(2), filters: { toDateTime: '2024-12-31T23:00:00.000Z' }, order: 'DESC', maxResults: 1 },
    ]);
    expect(drsStub.commandCalls(StartRecoveryCommand)[0]?.args[0].input.sourceServers).toEqual([
      { sourceServerID: sid(1), recoverySnapshotID: 'pit-0000000000000000a' },
      { sourceServerID: sid(2), recoverySnapshotID: 'pit-0000000000000000b' },
      { sourceServerID: sid(3) },
    ]);
  });

  it('fails the launch of a server with no snapshot before its time, and launches the others', async () => {
    const events = await given(startWith(plan({ id: 'w', servers: [1, -2] }), { pointsInTime: [{ sourceServerId: sid(2), pointInTime: { type: 'LATEST_BEFORE', before: '2020-01-01T00:00:00.000Z' } }] }));
    drsStub.on(DescribeJobsCommand).resolves({ items: [] });
    drsStub.on(DescribeRecoverySnapshotsCommand).resolves({ items: [] });
    drsStub.on(StartRecoveryCommand).resolves(job([1]));
    expect(await launchBatch(deps(), events.find((e) => e.type === 'ServerLaunchRequested')!)).toBe('started');
    expect(drsStub.commandCalls(StartRecoveryCommand)[0]?.args[0].input.sourceServers).toEqual([{ sourceServerID: sid(1) }]);
    // Not in any job: it failed to launch before DRS was asked.
    const failed = last(await stream(), 'ServerLaunchFailed').data;
    expect(failed).toMatchObject({ sourceServerId: sid(2), reason: `no recovery snapshot of ${sid(2)} taken before 2020-01-01T00:00:00.000Z` });
    expect(failed).not.toHaveProperty('jobId');
  });
});

describe('the EC2 instances of recovery instances (DescribeRecoveryInstances)', () => {
  const recoveryInstance = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
  const ec2InstanceOf = (recoveryInstanceId: string) => `i-e${recoveryInstanceId.slice(3)}`;

  it('asks 200 ids at a time, every page, and keeps the EC2 instances of the ids asked', async () => {
    // given DRS answering in pages of 150, knowing every instance but the last, and not reporting the EC2 instance of the second yet
    const ids = Array.from({ length: 450 }, (_, i) => recoveryInstance(i + 1));
    drsStub.on(DescribeRecoveryInstancesCommand).callsFake((input) => {
      const known = (input.filters?.recoveryInstanceIDs ?? []).filter((id) => id !== recoveryInstance(450));
      const from = input.nextToken ? Number(input.nextToken) : 0;
      const items = known.slice(from, from + 150).map((id) => ({ recoveryInstanceID: id, ...(id === recoveryInstance(2) ? {} : { ec2InstanceID: ec2InstanceOf(id) }) }));
      // an instance nobody asked for
      if (from === 0) items.push({ recoveryInstanceID: recoveryInstance(9999), ec2InstanceID: ec2InstanceOf(recoveryInstance(9999)) });
      return { items, ...(from + 150 < known.length ? { nextToken: String(from + 150) } : {}) };
    });

    // when the EC2 instances of 450 recovery instances are asked (one of them twice)
    const found = await new DrsRecoveryJobs(new DrsClient({})).describeRecoveryInstances([...ids, ids[0]!]);

    // then three chunks of ids (200, 200, 50), each read to its last page, and one answer per instance asked that DRS knows
    expect(drsStub.commandCalls(DescribeRecoveryInstancesCommand).map((c) => [c.args[0].input.filters?.recoveryInstanceIDs?.[0], c.args[0].input.filters?.recoveryInstanceIDs?.length, c.args[0].input.maxResults, c.args[0].input.nextToken])).toEqual([
      [ids[0], 200, 200, undefined], [ids[0], 200, 200, '150'], [ids[200], 200, 200, undefined], [ids[200], 200, 200, '150'], [ids[400], 50, 200, undefined],
    ]);
    expect(found).toHaveLength(449);
    expect(found.find((f) => f.recoveryInstanceId === recoveryInstance(123))).toEqual({ recoveryInstanceId: recoveryInstance(123), ec2InstanceId: ec2InstanceOf(recoveryInstance(123)) });
    expect(found.find((f) => f.recoveryInstanceId === recoveryInstance(2))).toEqual({ recoveryInstanceId: recoveryInstance(2) });
    expect(found.some((f) => f.recoveryInstanceId === recoveryInstance(9999) || f.recoveryInstanceId === recoveryInstance(450))).toBe(false);
  });

  it('leaves out an EC2 instance id the ServerLaunched schema would refuse', async () => {
    drsStub.on(DescribeRecoveryInstancesCommand).resolves({ items: [{ recoveryInstanceID: recoveryInstance(1), ec2InstanceID: 'I-NOT-AN-INSTANCE' }] });
    expect(await new DrsRecoveryJobs(new DrsClient({})).describeRecoveryInstances([recoveryInstance(1)])).toEqual([{ recoveryInstanceId: recoveryInstance(1) }]);
  });

  it('asks nothing for no ids', async () => {
    expect(await new DrsRecoveryJobs(new DrsClient({})).describeRecoveryInstances([])).toEqual([]);
    expect(drsStub.commandCalls(DescribeRecoveryInstancesCommand)).toEqual([]);
  });
});

describe('drill cleanup (DrillCleanupStarted -> TerminateRecoveryInstances -> RecordCleanupResult)', () => {
  const deps = () => ({ store, drsIn: async () => new DrsRecoveryInstanceTerminator(new DrsClient({})), clock });

  it('terminates the drill\'s instances and those of its jobs, records them, once', async () => {
    const events = await given(startExecution(plan({ id: 'w', servers: [1, 2] })), ...launchAndVerify('w', 1, 1, [1, 2]), cleanup());
    const started = last(events, 'DrillCleanupStarted');
    drsStub.on(DescribeJobsCommand).resolves({
      items: [
        { jobID: 'drsjob-00000000000000001', initiatedBy: 'START_DRILL', tags: { 'lifeboat:execution-id': EXECUTION_ID }, participatingServers: [{ sourceServerID: sid(1), recoveryInstanceID: instanceId(1) }, { sourceServerID: sid(3), recoveryInstanceID: instanceId(3) }] },
      ],
    });
    drsStub.on(TerminateRecoveryInstancesCommand).resolves({ job: { jobID: 'drsjob-0000000000000000f' } });

    expect(await cleanUpDrill(deps(), started)).toBe('cleaned-up');
    expect(await cleanUpDrill(deps(), started)).toBe('already-completed');

    expect(drsStub.commandCalls(DescribeJobsCommand).map((c) => c.args[0].input)).toEqual([{ filters: { jobIDs: ['drsjob-00000000000000001'] }, maxResults: 100, nextToken: undefined }]);
    expect(drsStub.commandCalls(TerminateRecoveryInstancesCommand).map((c) => c.args[0].input)).toEqual([{ recoveryInstanceIDs: [instanceId(1), instanceId(2), instanceId(3)] }]);
    expect(last(await stream(), 'DrillCleanupCompleted').data).toEqual({ executionId: EXECUTION_ID, terminatedRecoveryInstanceIds: [instanceId(1), instanceId(2), instanceId(3)], failed: [] });
  });

  it('records the instances DRS refused to terminate, one by one', async () => {
    const events = await given(startExecution(plan({ id: 'w', servers: [1, 2] })), ...launchAndVerify('w', 1, 1, [1, 2]), cleanup());
    drsStub.on(DescribeJobsCommand).resolves({ items: [] });
    drsStub.on(TerminateRecoveryInstancesCommand).callsFake((input) => {
      if ((input.recoveryInstanceIDs ?? []).includes(instanceId(2))) throw Object.assign(new Error('instance is busy'), { name: 'ConflictException' });
      return {};
    });
    expect(await cleanUpDrill(deps(), last(events, 'DrillCleanupStarted'))).toBe('cleaned-up');
    expect(last(await stream(), 'DrillCleanupCompleted').data).toEqual({
      executionId: EXECUTION_ID, terminatedRecoveryInstanceIds: [instanceId(1)], failed: [{ recoveryInstanceId: instanceId(2), reason: 'ConflictException: instance is busy' }],
    });
  });

  it('refuses to terminate anything of a RECOVERY', async () => {
    const drill = history(startExecution(plan({ id: 'w', servers: [1] })), ...launchAndVerify('w', 1, 1, [1]), cleanup());
    await given(startExecution(plan({ id: 'w', servers: [1] }), 'RECOVERY'));
    expect(await cleanUpDrill(deps(), last(drill, 'DrillCleanupStarted'))).toBe('refused-not-a-drill');
    expect(drsStub.commandCalls(TerminateRecoveryInstancesCommand)).toHaveLength(0);
    const { state } = await loadExecution(store, EXECUTION_ID);
    expect(state.status !== 'NOT_STARTED' && state.mode).toBe('RECOVERY');
  });
});
