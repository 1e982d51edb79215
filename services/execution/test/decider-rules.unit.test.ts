import { describe, expect, it } from '@jest/globals';
import type { PlanStep } from '@lifeboat/service-api';
import { decide } from '../src/domain/decide.js';
import { categoryOf } from '../src/domain/errors.js';
import type { ExecutionEvent } from '../src/domain/events.js';
import { foldExecution } from '../src/domain/evolve.js';
import { projectExecution } from '../src/domain/projection.js';
import {
  approve, as, cancel, cleanup, cleanupResult, EXECUTION_ID, expected, given, history, instanceId, jobId, launchAndVerify, launchResult, pause, plan,
  recordJob, reject, resume, retry, sid, startExecution, startWith, stepResult, timerElapsed, verification, withWave,
} from './support/decider-spec.js';

const types = (events: ExecutionEvent[]) => events.map((e) => e.type);
const threeTier = plan({ id: 'db', servers: [1, 2] }, { id: 'app', dependsOn: ['db'], servers: [3] }, { id: 'web', dependsOn: ['app'], servers: [4] });
const wait = (stepId: string, durationSeconds = 60): PlanStep => ({ stepId, type: 'WAIT', name: `wait ${stepId}`, durationSeconds });
const approval = (stepId: string, extra: Partial<Extract<PlanStep, { type: 'APPROVAL' }>> = {}): PlanStep =>
  ({ stepId, type: 'APPROVAL', name: `approve ${stepId}`, prompt: 'Go on?', timeoutSeconds: 3600, onTimeout: 'FAIL', ...extra });
const ssm = (stepId: string, onFailure: 'FAIL' | 'CONTINUE' = 'FAIL'): PlanStep =>
  ({ stepId, type: 'SSM_DOCUMENT', name: `check ${stepId}`, documentName: 'AWS-RunShellScript', documentVersion: '$DEFAULT', parameters: { commands: ['true'] }, targetServerIds: [], timeoutSeconds: 600, onFailure });
const lambda = (stepId: string, onFailure: 'FAIL' | 'CONTINUE' = 'FAIL'): PlanStep =>
  ({ stepId, type: 'LAMBDA', name: `dns ${stepId}`, functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dns', payload: {}, timeoutSeconds: 300, onFailure });
const OPERATOR = ['Operator'];
const MANAGER = ['RecoveryManager'];

describe('StartExecution options', () => {
  it('runs a subset of waves; a chosen wave keeps the nearest chosen waves it depended on', () => {
    const events = given().when(startWith(threeTier, { waveIds: ['db', 'web'] })).events();
    const started = events[0];
    expect(started?.type === 'ExecutionStarted' && started.data.plan.waves.map((w) => [w.waveId, w.dependsOn])).toEqual([['db', []], ['web', ['db']]]);
    expect(started?.type === 'ExecutionStarted' && started.data.options).toEqual({ waveIds: ['db', 'web'] });
    expect(types(events)).toEqual(['ExecutionStarted', 'WaveStarted', 'ServerLaunchRequested', 'ServerLaunchRequested']);
  });

  it('runs a subset of servers; waves left without servers go', () => {
    const events = given().when(startWith(threeTier, { sourceServerIds: [sid(2), sid(4)] })).events();
    const started = events[0];
    expect(started?.type === 'ExecutionStarted' && started.data.plan.waves.map((w) => [w.waveId, w.dependsOn, w.servers.map((s) => s.sourceServerId)])).toEqual([['db', [], [sid(2)]], ['web', ['db'], [sid(4)]]]);
    expect(events.filter((e) => e.type === 'ServerLaunchRequested').map((e) => e.data.sourceServerId)).toEqual([sid(2)]);
  });

  it('carries a point in time per server into its launch request (latest: none)', () => {
    const when = given().when(startWith(threeTier, { pointsInTime: [
      { sourceServerId: sid(1), pointInTime: { type: 'SNAPSHOT', snapshotId: 'pit-0123456789abcdef0' } },
      { sourceServerId: sid(2), pointInTime: { type: 'LATEST_BEFORE', before: '2024-12-31T23:00:00.000Z' } },
      { sourceServerId: sid(3), pointInTime: { type: 'LATEST' } },
    ] }));
    const requested = when.events().filter((e) => e.type === 'ServerLaunchRequested');
    expect(requested.map((e) => e.data.pointInTime)).toEqual([{ type: 'SNAPSHOT', snapshotId: 'pit-0123456789abcdef0' }, { type: 'LATEST_BEFORE', before: '2024-12-31T23:00:00.000Z' }]);
  });

  it('refuses unknown waves or servers, empty choices and points in time of servers that do not run', () => {
    given().when(startWith(threeTier, { waveIds: ['nope'] })).thenThrows('INVALID_OPTIONS');
    given().when(startWith(threeTier, { sourceServerIds: [sid(99)] })).thenThrows('INVALID_OPTIONS');
    given().when(startWith(threeTier, { waveIds: [] })).thenThrows('INVALID_OPTIONS');
    given().when(startWith(threeTier, { waveIds: ['db'], pointsInTime: [{ sourceServerId: sid(3), pointInTime: { type: 'LATEST' } }] })).thenThrows('INVALID_OPTIONS');
  });

  it('schedules the drill TTL at the start when the plan has autoCleanupAfterHours', () => {
    const p = { ...threeTier, settings: { drill: { networkIsolation: 'ISOLATED_VPC' as const, autoCleanupAfterHours: 2 } } };
    const events = given().when(startExecution(p)).events();
    expect(events[1]).toMatchObject({ type: 'TimerScheduled', data: { executionId: EXECUTION_ID, timerId: 'drill-ttl', purpose: 'DRILL_TTL', delaySeconds: 7200 } });
    expect(events[1]?.type === 'TimerScheduled' && Date.parse(events[1].data.fireAt) - Date.parse(events[0]!.metadata.occurredAt)).toBe(7_200_000);
    // Not for a recovery.
    expect(types(given().when(startExecution(p, 'RECOVERY')).events())).not.toContain('TimerScheduled');
  });
});

describe('RECOVERY with requireSecondApprover', () => {
  const p = { ...threeTier, settings: { requireSecondApprover: true } };
  const started = () => history(as(startExecution(p, 'RECOVERY'), 'user-1', MANAGER, 'Ada'));

  it('asks a second RecoveryManager before any launch', () => {
    const events = given().when(as(startExecution(p, 'RECOVERY'), 'user-1', MANAGER, 'Ada')).events();
    expect(types(events)).toEqual(['ExecutionStarted', 'ApprovalRequested']);
    expect(events[1]?.data).toMatchObject({ approvalId: 'second-approver', kind: 'SECOND_APPROVER', approverRole: 'RecoveryManager', permission: 'recovery:approve', excludedUserIds: ['user-1'] });
  });

  it('refuses the starter, and users without the role or permission', () => {
    given(...started()).when(as(approve('second-approver'), 'user-1', MANAGER)).thenThrows('SECOND_APPROVER_IS_STARTER');
    given(...started()).when(as(approve('second-approver'), 'user-2', OPERATOR)).thenThrows('NOT_PERMITTED');
    given(...started()).when(as(approve('second-approver'), 'user-2', [])).thenThrows('NOT_PERMITTED');
    given(...started()).when(as(approve('nope'), 'user-2', MANAGER)).thenThrows('UNKNOWN_APPROVAL');
  });

  it('starts the waves once another RecoveryManager approves', () => {
    given(...started()).when(as(approve('second-approver', 'ok'), 'user-2', MANAGER, 'Bob')).then(
      { type: 'ApprovalGranted', data: { executionId: EXECUTION_ID, approvalId: 'second-approver', kind: 'SECOND_APPROVER', approverId: 'user-2', approverName: 'Bob', comment: 'ok' } },
      expected.waveStarted('db'),
      expected.launchRequested('db', 1, 'db-b1'),
      expected.launchRequested('db', 2, 'db-b1', false),
    );
    const granted = history(as(startExecution(p, 'RECOVERY'), 'user-1', MANAGER), as(approve('second-approver'), 'user-2', MANAGER));
    given(...granted).when(as(approve('second-approver'), 'user-3', MANAGER)).thenThrows('APPROVAL_NOT_PENDING');
  });

  it('fails the execution when the second approver rejects', () => {
    given(...started()).when(as(reject('second-approver', 'not now'), 'user-2', MANAGER, 'Bob')).then(
      { type: 'ApprovalRejected', data: { executionId: EXECUTION_ID, approvalId: 'second-approver', kind: 'SECOND_APPROVER', approverId: 'user-2', approverName: 'Bob', comment: 'not now' } },
      { type: 'ExecutionFailed', data: { executionId: EXECUTION_ID, planId: 'plan-1', mode: 'RECOVERY', reason: 'the second approver Bob rejected the recovery: not now' } },
    );
  });
});

describe('steps before and after waves', () => {
  it('WAIT: a timer, then the step completes and the wave launches', () => {
    const p = withWave(threeTier, 'db', { preSteps: [wait('db-pre-1', 90)] });
    const events = given().when(startExecution(p)).events();
    expect(types(events)).toEqual(['ExecutionStarted', 'WaveStarted', 'StepStarted', 'TimerScheduled']);
    expect(events[3]?.data).toMatchObject({ timerId: 'wait:db-pre-1', purpose: 'WAIT_STEP', delaySeconds: 90, waveId: 'db', stepId: 'db-pre-1' });
    const h = history(startExecution(p));
    given(...h).when(timerElapsed('wait:db-pre-1')).then(
      { type: 'TimerElapsed', data: { executionId: EXECUTION_ID, timerId: 'wait:db-pre-1', purpose: 'WAIT_STEP' } },
      { type: 'StepCompleted', data: { executionId: EXECUTION_ID, waveId: 'db', phase: 'PRE', stepId: 'db-pre-1', stepType: 'WAIT' } },
      expected.launchRequested('db', 1, 'db-b1'),
      expected.launchRequested('db', 2, 'db-b1', false),
    );
    const elapsed = history(startExecution(p), timerElapsed('wait:db-pre-1'));
    given(...elapsed).when(timerElapsed('wait:db-pre-1')).thenNothingHappened();
    given(...elapsed).when(timerElapsed('nope')).thenThrows('UNKNOWN_TIMER');
  });

  it('runs the pre-steps one after the other', () => {
    const p = withWave(threeTier, 'db', { preSteps: [wait('a', 10), wait('b', 20)] });
    const events = given(...history(startExecution(p))).when(timerElapsed('wait:a')).events();
    expect(types(events)).toEqual(['TimerElapsed', 'StepCompleted', 'StepStarted', 'TimerScheduled']);
    expect(events[2]?.data).toMatchObject({ stepId: 'b' });
  });

  describe('APPROVAL', () => {
    const p = withWave(threeTier, 'app', { preSteps: [approval('app-pre-1', { approverRole: 'Operator', onTimeout: 'CONTINUE' })] });
    const atApproval = () => history(startExecution(p), ...launchAndVerify('db', 1, 1, [1, 2]));

    it('asks for approval with a timeout once its wave starts', () => {
      const h = history(startExecution(p), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2), verification(1));
      const events = given(...h).when(verification(2)).events();
      expect(types(events)).toEqual(['ServerVerificationRecorded', 'WaveCompleted', 'WaveStarted', 'StepStarted', 'ApprovalRequested', 'TimerScheduled']);
      expect(events[4]?.data).toMatchObject({ approvalId: 'app-pre-1', kind: 'STEP', waveId: 'app', stepId: 'app-pre-1', prompt: 'Go on?', approverRole: 'Operator', permission: 'drill:approve', excludedUserIds: [] });
      expect(events[5]?.data).toMatchObject({ timerId: 'approval:app-pre-1', purpose: 'APPROVAL_TIMEOUT', delaySeconds: 3600 });
    });

    it('approved by someone with the role: the step completes and the wave launches', () => {
      given(...atApproval()).when(as(approve('app-pre-1'), 'user-9', ['Viewer'])).thenThrows('NOT_PERMITTED');
      given(...atApproval()).when(as(approve('app-pre-1'), 'user-9', ['RecoveryManager'])).thenThrows('NOT_PERMITTED');
      given(...atApproval()).when(as(approve('app-pre-1', 'looks good'), 'user-9', OPERATOR)).then(
        { type: 'ApprovalGranted', data: { executionId: EXECUTION_ID, approvalId: 'app-pre-1', kind: 'STEP', waveId: 'app', stepId: 'app-pre-1', approverId: 'user-9', comment: 'looks good' } },
        { type: 'StepCompleted', data: { executionId: EXECUTION_ID, waveId: 'app', phase: 'PRE', stepId: 'app-pre-1', stepType: 'APPROVAL', output: 'looks good' } },
        expected.launchRequested('app', 3, 'app-b1'),
      );
    });

    it('rejected: the step fails and so does its wave (STOP)', () => {
      const events = given(...atApproval()).when(as(reject('app-pre-1', 'no'), 'user-9', OPERATOR)).events();
      expect(types(events)).toEqual(['ApprovalRejected', 'StepFailed', 'WaveFailed', 'ExecutionFailed']);
      expect(events[1]?.data).toMatchObject({ reason: 'rejected by user-9: no', onFailure: 'FAIL' });
      expect(events[2]?.data).toEqual({ executionId: EXECUTION_ID, waveId: 'app', reason: 'step approve app-pre-1 failed: rejected by user-9: no', failedServerIds: [] });
    });

    it('timed out: on-timeout CONTINUE goes on, FAIL fails the wave; a late approval is refused', () => {
      given(...atApproval()).when(timerElapsed('approval:app-pre-1')).then(
        { type: 'TimerElapsed', data: { executionId: EXECUTION_ID, timerId: 'approval:app-pre-1', purpose: 'APPROVAL_TIMEOUT' } },
        { type: 'ApprovalTimedOut', data: { executionId: EXECUTION_ID, approvalId: 'app-pre-1', kind: 'STEP', waveId: 'app', stepId: 'app-pre-1', onTimeout: 'CONTINUE' } },
        { type: 'StepFailed', data: { executionId: EXECUTION_ID, waveId: 'app', phase: 'PRE', stepId: 'app-pre-1', stepType: 'APPROVAL', reason: 'nobody approved within 3600 s', onFailure: 'CONTINUE' } },
        expected.launchRequested('app', 3, 'app-b1'),
      );
      const failing = withWave(threeTier, 'app', { preSteps: [approval('x')] });
      const h = history(startExecution(failing), ...launchAndVerify('db', 1, 1, [1, 2]));
      expect(types(given(...h).when(timerElapsed('approval:x')).events())).toEqual(['TimerElapsed', 'ApprovalTimedOut', 'StepFailed', 'WaveFailed', 'ExecutionFailed']);
      const timedOut = [...h, ...decide(timerElapsed('approval:x'), foldExecution(h))];
      given(...timedOut).when(as(approve('x'), 'user-9', OPERATOR)).thenThrows('EXECUTION_FINISHED');
      const continued = history(startExecution(p), ...launchAndVerify('db', 1, 1, [1, 2]), timerElapsed('approval:app-pre-1'));
      given(...continued).when(as(approve('app-pre-1'), 'user-9', OPERATOR)).thenThrows('APPROVAL_NOT_PENDING');
    });

    it('of a RECOVERY needs recovery:approve', () => {
      const r = withWave(threeTier, 'db', { preSteps: [approval('gate')] });
      const h = history(startExecution(r, 'RECOVERY'));
      given(...h).when(as(approve('gate'), 'user-9', OPERATOR)).thenThrows('NOT_PERMITTED');
      expect(types(given(...h).when(as(approve('gate'), 'user-9', MANAGER)).events())).toEqual(['ApprovalGranted', 'StepCompleted', 'ServerLaunchRequested', 'ServerLaunchRequested']);
    });
  });

  describe('SSM_DOCUMENT and LAMBDA', () => {
    const p = withWave(plan({ id: 'db', servers: [1] }, { id: 'app', dependsOn: ['db'], servers: [3] }), 'db', { postSteps: [ssm('db-post-1'), lambda('db-post-2', 'CONTINUE')] });
    const afterServers = () => history(startExecution(p), ...launchAndVerify('db', 1, 1, [1]));

    it('start after the wave\'s servers are done, with a timeout; the process manager records their result', () => {
      const h = history(startExecution(p), recordJob('db-b1', jobId(1), [1]), launchResult(jobId(1), 1));
      const events = given(...h).when(verification(1)).events();
      expect(types(events)).toEqual(['ServerVerificationRecorded', 'StepStarted', 'TimerScheduled']);
      expect(events[1]?.data).toEqual({ executionId: EXECUTION_ID, waveId: 'db', phase: 'POST', stepId: 'db-post-1', step: ssm('db-post-1') });
      expect(events[2]?.data).toMatchObject({ timerId: 'timeout:db-post-1', purpose: 'STEP_TIMEOUT', delaySeconds: 600 });
      given(...afterServers()).when(stepResult('db-post-1', 'SUCCEEDED', 'active')).then(
        { type: 'StepCompleted', data: { executionId: EXECUTION_ID, waveId: 'db', phase: 'POST', stepId: 'db-post-1', stepType: 'SSM_DOCUMENT', output: 'active' } },
        { type: 'StepStarted', data: { executionId: EXECUTION_ID, waveId: 'db', phase: 'POST', stepId: 'db-post-2', step: lambda('db-post-2', 'CONTINUE') } },
        expect.objectContaining({ type: 'TimerScheduled' }) as never,
      );
    });

    it('a failure with on-failure CONTINUE completes the wave; FAIL fails it', () => {
      const h = history(startExecution(p), ...launchAndVerify('db', 1, 1, [1]), stepResult('db-post-1'));
      expect(types(given(...h).when(stepResult('db-post-2', 'FAILED', 'dns down')).events())).toEqual(['StepFailed', 'WaveCompleted', 'WaveStarted', 'ServerLaunchRequested']);
      const events = given(...afterServers()).when(stepResult('db-post-1', 'FAILED', 'exit 1')).events();
      expect(types(events)).toEqual(['StepFailed', 'WaveFailed', 'ExecutionFailed']);
    });

    it('time out per their timeout; late or duplicate results change nothing', () => {
      expect(types(given(...afterServers()).when(timerElapsed('timeout:db-post-1')).events())).toEqual(['TimerElapsed', 'StepFailed', 'WaveFailed', 'ExecutionFailed']);
      const done = history(startExecution(p), ...launchAndVerify('db', 1, 1, [1]), stepResult('db-post-1'));
      given(...done).when(stepResult('db-post-1')).thenNothingHappened();
      given(...done).when(timerElapsed('timeout:db-post-1')).then({ type: 'TimerElapsed', data: { executionId: EXECUTION_ID, timerId: 'timeout:db-post-1', purpose: 'STEP_TIMEOUT' } });
    });

    it('refuse unknown steps, steps not started and results of steps that have none', () => {
      given(...afterServers()).when(stepResult('nope')).thenThrows('UNKNOWN_STEP');
      given(...afterServers()).when(stepResult('db-post-2')).thenThrows('INCONSISTENT_COMMAND');
      const w = withWave(threeTier, 'db', { preSteps: [wait('w')] });
      given(...history(startExecution(w))).when(stepResult('w')).thenThrows('INCONSISTENT_COMMAND');
    });
  });
});

describe('error policy and criticality', () => {
  // A -> B -> C, and D on its own.
  const p = withWave(plan({ id: 'A', servers: [1] }, { id: 'B', dependsOn: ['A'], servers: [2] }, { id: 'C', dependsOn: ['B'], servers: [3] }, { id: 'D', servers: [4] }), 'A', { errorPolicy: 'CONTINUE' });

  it('CONTINUE: a failed critical server fails its wave, skips the waves that depend on it, lets the others go on', () => {
    const h = history(startExecution(p), recordJob('A-b1', jobId(1), [1]));
    given(...h).when(launchResult(jobId(1), 1, 'FAILED', 'no capacity')).then(
      expected.launchFailed('A', 1, jobId(1), 'no capacity'),
      expected.waveFailed('A', 1, `critical server ${sid(1)} (host-1) failed to launch: no capacity`),
      { type: 'WaveSkipped', data: { executionId: EXECUTION_ID, waveId: 'B', reason: 'it depends on failed wave Wave A', failedWaveIds: ['A'] } },
      { type: 'WaveSkipped', data: { executionId: EXECUTION_ID, waveId: 'C', reason: 'it depends on failed wave Wave A', failedWaveIds: ['A'] } },
    );
    const rest = history(startExecution(p), recordJob('A-b1', jobId(1), [1]), launchResult(jobId(1), 1, 'FAILED'), recordJob('D-b1', jobId(4), [4]), launchResult(jobId(4), 4));
    given(...rest).when(verification(4)).then(
      expected.verificationRecorded(4),
      expected.waveCompleted('D'),
      { type: 'ExecutionFailed', data: { executionId: EXECUTION_ID, planId: 'plan-1', mode: 'DRILL', reason: 'waves Wave A failed; Wave B, Wave C skipped' } },
    );
  });

  it('STOP (the default) fails the execution at once', () => {
    const stop = plan({ id: 'A', servers: [1] }, { id: 'D', servers: [4] });
    expect(types(given(...history(startExecution(stop), recordJob('A-b1', jobId(1), [1]))).when(launchResult(jobId(1), 1, 'FAILED')).events())).toEqual(['ServerLaunchFailed', 'WaveFailed', 'ExecutionFailed']);
  });

  it('a failed OPTIONAL server is reported and skipped', () => {
    const opt = plan({ id: 'A', servers: [-1, 2] });
    const h = history(startExecution(opt), recordJob('A-b1', jobId(1), [1, 2]), launchResult(jobId(1), 2), verification(2));
    expect(types(given(...h).when(launchResult(jobId(1), 1, 'FAILED')).events())).toEqual(['ServerLaunchFailed', 'WaveCompleted', 'ExecutionCompleted']);
  });
});

describe('SEQUENTIAL waves: boot order and delays', () => {
  const p = withWave(plan({ id: 's', order: 'SEQUENTIAL', servers: [1, 2, 3] }), 's', {});
  const seq = { ...p, waves: [{ ...p.waves[0]!, servers: [
    { ...p.waves[0]!.servers[0]!, bootOrder: 3 },
    { ...p.waves[0]!.servers[1]!, bootOrder: 1 },
    { ...p.waves[0]!.servers[2]!, bootOrder: 2, delaySeconds: 30 },
  ] }] };

  it('launch by boot order; the next waits delaySeconds after the previous is verified', () => {
    expect(given().when(startExecution(seq)).events().filter((e) => e.type === 'ServerLaunchRequested').map((e) => e.data.sourceServerId)).toEqual([sid(2)]);
    const h = history(startExecution(seq), recordJob('s-b1', jobId(1), [2]), launchResult(jobId(1), 2));
    const events = given(...h).when(verification(2)).events();
    expect(types(events)).toEqual(['ServerVerificationRecorded', 'TimerScheduled']);
    expect(events[1]?.data).toMatchObject({ timerId: `delay:${sid(3)}`, purpose: 'LAUNCH_DELAY', delaySeconds: 30, waveId: 's', sourceServerId: sid(3) });
    const delayed = history(startExecution(seq), recordJob('s-b1', jobId(1), [2]), launchResult(jobId(1), 2), verification(2));
    given(...delayed).when(timerElapsed(`delay:${sid(3)}`)).then(
      { type: 'TimerElapsed', data: { executionId: EXECUTION_ID, timerId: `delay:${sid(3)}`, purpose: 'LAUNCH_DELAY' } },
      expected.launchRequested('s', 3, 's-b2'),
    );
  });
});

describe('PauseExecution and ResumeExecution', () => {
  const started = () => history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]));

  it('pauses now: results are recorded, nothing new starts, resume goes on', () => {
    given(...started()).when(pause()).then({ type: 'ExecutionPaused', data: { executionId: EXECUTION_ID } });
    const paused = history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), pause(), launchResult(jobId(1), 1), launchResult(jobId(1), 2), verification(1));
    given(...paused).when(verification(2)).then(expected.verificationRecorded(2));
    const all = [...paused, ...decide(verification(2), foldExecution(paused))];
    const events = given(...all).when(resume()).events();
    expect(types(events)).toEqual(['ExecutionResumed', 'WaveCompleted', 'WaveStarted', 'ServerLaunchRequested']);
    expect(events[0]?.data).toEqual({ executionId: EXECUTION_ID, pausedMs: expect.any(Number) });
  });

  it('pauses before a named wave, when it is about to start', () => {
    const h = history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2), verification(1));
    given(...h).when(pause('app')).then({ type: 'ExecutionPauseScheduled', data: { executionId: EXECUTION_ID, beforeWaveId: 'app' } });
    const scheduled = [...h, ...decide(pause('app'), foldExecution(h))];
    given(...scheduled).when(pause('app')).thenNothingHappened();
    given(...scheduled).when(verification(2)).then(expected.verificationRecorded(2), expected.waveCompleted('db'), { type: 'ExecutionPaused', data: { executionId: EXECUTION_ID, beforeWaveId: 'app' } });
    const paused = [...scheduled, ...decide(verification(2), foldExecution(scheduled))];
    given(...paused).when(resume()).then({ type: 'ExecutionResumed', data: { executionId: EXECUTION_ID, pausedMs: 1000 } }, expected.waveStarted('app'), expected.launchRequested('app', 3, 'app-b1'));
  });

  it('refuses to pause twice, before a started or unknown wave, and to resume what is not paused', () => {
    given(...history(startExecution(threeTier), pause())).when(pause()).thenThrows('ALREADY_PAUSED');
    given(...started()).when(pause('db')).thenThrows('WAVE_ALREADY_STARTED');
    given(...started()).when(pause('zz')).thenThrows('UNKNOWN_WAVE');
    given(...started()).when(resume()).thenThrows('NOT_PAUSED');
    given(...history(startExecution(threeTier), cancel())).when(pause()).thenThrows('CANCELLING');
  });

  it('never requests again a server whose launch is in flight', () => {
    const h = history(startExecution(threeTier), pause(), resume());
    expect(h.filter((e) => e.type === 'ServerLaunchRequested').map((e) => e.data.sourceServerId)).toEqual([sid(1), sid(2)]);
  });
});

describe('CancelExecution', () => {
  it('stops new launches and is cancelled once nothing is in flight; a drill can terminate its instances', () => {
    const h = history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1));
    given(...h).when(cancel(true)).then({ type: 'CancelRequested', data: { executionId: EXECUTION_ID, terminateInstances: true } });
    const cancelling = [...h, ...decide(cancel(true), foldExecution(h))];
    given(...cancelling).when(cancel()).thenNothingHappened();
    const events = given(...cancelling).when(launchResult(jobId(1), 2, 'FAILED', 'boom')).events();
    expect(types(events)).toEqual(['ServerLaunchFailed', 'ExecutionCancelled', 'DrillCleanupStarted']);
    expect(events[2]?.data).toEqual({ executionId: EXECUTION_ID, trigger: 'CANCEL', recoveryInstances: [{ sourceServerId: sid(1), accountId: '123456789012', region: 'us-east-1', recoveryInstanceId: instanceId(1) }], jobIds: [jobId(1)] });
  });

  it('is cancelled at once when nothing is in flight, without cleanup unless asked', () => {
    const h = history(startExecution(withWave(threeTier, 'db', { preSteps: [wait('w')] })));
    expect(types(given(...h).when(cancel()).events())).toEqual(['CancelRequested', 'ExecutionCancelled']);
    given(...history(startExecution(threeTier, 'RECOVERY'))).when(cancel(true)).thenThrows('NOT_A_DRILL');
    const cancelled = history(startExecution(withWave(threeTier, 'db', { preSteps: [wait('w')] })), cancel());
    given(...cancelled).when(cancel()).thenThrows('EXECUTION_FINISHED');
    given(...cancelled).when(timerElapsed('wait:w')).thenNothingHappened();
  });

  it('withdraws pending approvals', () => {
    const h = history(startExecution(withWave(threeTier, 'db', { preSteps: [approval('gate')] })), cancel());
    expect(foldExecution(h).status).toBe('CANCELLED');
    expect(projectExecution(h)?.approvals?.map((a) => a.status)).toEqual(['WITHDRAWN']);
  });
});

describe('RetryFailedServers', () => {
  const failed = () => history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2, 'FAILED'));

  it('relaunches the failed servers in new batches and reopens their waves', () => {
    given(...failed()).when(retry()).then(
      { type: 'ServersRetried', data: { executionId: EXECUTION_ID, attempt: 1, sourceServerIds: [sid(2)], reopenedWaveIds: ['db'], unskippedWaveIds: [] } },
      expected.launchRequested('db', 2, 'db-b2'),
    );
  });

  it('never relaunches a server whose launch is in flight, nor a running execution', () => {
    given(...history(startExecution(threeTier))).when(retry()).thenThrows('EXECUTION_STILL_RUNNING');
    given(...failed()).when(retry([1])).thenThrows('NOTHING_TO_RETRY');
    const retried = [...failed(), ...decide(retry(), foldExecution(failed()))];
    given(...retried).when(retry()).thenThrows('EXECUTION_STILL_RUNNING');
    // A late duplicate of the first job's result is not the new attempt's.
    given(...retried).when(launchResult(jobId(1), 2, 'FAILED')).thenNothingHappened();
  });

  it('un-skips the waves skipped because of a reopened wave', () => {
    const p = withWave(plan({ id: 'A', servers: [1] }, { id: 'B', dependsOn: ['A'], servers: [2] }), 'A', { errorPolicy: 'CONTINUE' });
    const h = history(startExecution(p), recordJob('A-b1', jobId(1), [1]), launchResult(jobId(1), 1, 'FAILED'));
    expect(foldExecution(h).status).toBe('FAILED');
    given(...h).when(retry()).then(
      { type: 'ServersRetried', data: { executionId: EXECUTION_ID, attempt: 1, sourceServerIds: [sid(1)], reopenedWaveIds: ['A'], unskippedWaveIds: ['B'] } },
      expected.launchRequested('A', 1, 'A-b2'),
    );
    const after = history(startExecution(p), recordJob('A-b1', jobId(1), [1]), launchResult(jobId(1), 1, 'FAILED'), retry(), ...launchAndVerify('A', 2, 2, [1]));
    expect(after.filter((e) => e.type === 'WaveStarted').map((e) => e.data.waveId)).toEqual(['A', 'B']);
  });
});

describe('CleanupDrill and the drill TTL', () => {
  const ttlPlan = { ...plan({ id: 'A', servers: [1] }), settings: { drill: { networkIsolation: 'ISOLATED_VPC' as const, autoCleanupAfterHours: 1 } } };
  const completed = () => history(startExecution(ttlPlan), ...launchAndVerify('A', 1, 1, [1]));
  const started = { type: 'DrillCleanupStarted' as const, data: { executionId: EXECUTION_ID, trigger: 'ON_DEMAND', recoveryInstances: [{ sourceServerId: sid(1), accountId: '123456789012', region: 'us-east-1', recoveryInstanceId: instanceId(1) }], jobIds: [jobId(1)] } };

  it('on demand: terminates the instances and records what was terminated', () => {
    expect(foldExecution(completed()).status).toBe('COMPLETED');
    given(...completed()).when(cleanup()).then(started);
    const cleaning = history(startExecution(ttlPlan), ...launchAndVerify('A', 1, 1, [1]), cleanup());
    given(...cleaning).when(cleanup()).thenNothingHappened();
    given(...cleaning).when(cleanupResult([instanceId(1)])).then({ type: 'DrillCleanupCompleted', data: { executionId: EXECUTION_ID, terminatedRecoveryInstanceIds: [instanceId(1)], failed: [] } });
    const cleaned = history(startExecution(ttlPlan), ...launchAndVerify('A', 1, 1, [1]), cleanup(), cleanupResult([instanceId(1)]));
    given(...cleaned).when(cleanupResult([instanceId(1)])).thenNothingHappened();
    given(...cleaned).when(cleanup()).thenThrows('NOTHING_TO_CLEAN_UP');
    given(...cleaned).when(timerElapsed('drill-ttl')).then({ type: 'TimerElapsed', data: { executionId: EXECUTION_ID, timerId: 'drill-ttl', purpose: 'DRILL_TTL' } });
  });

  it('at the TTL of a finished drill', () => {
    given(...completed()).when(timerElapsed('drill-ttl')).then({ type: 'TimerElapsed', data: { executionId: EXECUTION_ID, timerId: 'drill-ttl', purpose: 'DRILL_TTL' } }, { ...started, data: { ...started.data, trigger: 'TTL' } });
  });

  it('at the TTL of a drill still running: cancelled, then cleaned up', () => {
    const h = history(startExecution(ttlPlan), recordJob('A-b1', jobId(1), [1]));
    expect(types(given(...h).when(timerElapsed('drill-ttl')).events())).toEqual(['TimerElapsed', 'CancelRequested']);
  });

  it('refuses a running drill, a recovery and a result without cleanup', () => {
    given(...history(startExecution(ttlPlan))).when(cleanup()).thenThrows('EXECUTION_STILL_RUNNING');
    given(...history(startExecution(plan({ id: 'A', servers: [1] }), 'RECOVERY'), recordJob('A-b1', jobId(1), [1], false), launchResult(jobId(1), 1), verification(1))).when(cleanup()).thenThrows('NOT_A_DRILL');
    given(...completed()).when(cleanupResult([])).thenThrows('CLEANUP_NOT_STARTED');
  });
});

describe('projectExecution of the new events', () => {
  it('shows steps with timing, approvals with who may decide, pause, cancel, skipped waves and cleanup', () => {
    const p = withWave(withWave(threeTier, 'db', { preSteps: [wait('w', 30)] }), 'app', { preSteps: [approval('gate', { approverRole: 'Operator' })] });
    const h = history(startExecution(p), timerElapsed('wait:w'), ...launchAndVerify('db', 1, 1, [1, 2]), pause('web'));
    const view = projectExecution(h);
    expect(view?.status).toBe('RUNNING');
    expect(view?.pauseBeforeWaveIds).toEqual(['web']);
    expect(view?.waves[0]?.preSteps).toEqual([{ stepId: 'w', type: 'WAIT', name: 'wait w', status: 'COMPLETED', startedAt: expect.any(String), completedAt: expect.any(String), dueAt: expect.any(String) }]);
    expect(view?.waves[1]?.preSteps?.[0]).toMatchObject({ stepId: 'gate', status: 'WAITING_FOR_APPROVAL' });
    expect(view?.approvals).toEqual([expect.objectContaining({ approvalId: 'gate', status: 'PENDING', permission: 'drill:approve', approverRole: 'Operator', excludedUserIds: [] })]);
    const paused = projectExecution(history(startExecution(threeTier), pause()));
    expect(paused).toMatchObject({ status: 'PAUSED', pausedAt: expect.any(String) });
    const cancelled = projectExecution(history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), cancel(true), launchResult(jobId(1), 2), cleanupResult([instanceId(1), instanceId(2)])));
    expect(cancelled).toMatchObject({ status: 'CANCELLED', terminateInstancesOnCancel: true, cleanup: { status: 'COMPLETED', trigger: 'CANCEL', terminatedRecoveryInstanceIds: [instanceId(1), instanceId(2)], failed: [] } });
    const cont = withWave(plan({ id: 'A', servers: [1] }, { id: 'B', dependsOn: ['A'], servers: [2] }), 'A', { errorPolicy: 'CONTINUE' });
    const skipped = projectExecution(history(startExecution(cont), recordJob('A-b1', jobId(1), [1]), launchResult(jobId(1), 1, 'FAILED', 'x')));
    // Only values the gateway's current enums know for a plan without steps.
    expect(skipped?.status).toBe('FAILED');
    expect(skipped?.waves.map((w) => [w.status, w.skipReason])).toEqual([['FAILED', undefined], ['PENDING', 'it depends on failed wave Wave A']]);
  });

  it('maps every error code to an API error', () => {
    expect(categoryOf('SECOND_APPROVER_IS_STARTER')).toBe('FORBIDDEN');
    expect(categoryOf('NOT_PERMITTED')).toBe('FORBIDDEN');
    expect(categoryOf('APPROVAL_NOT_PENDING')).toBe('CONFLICT');
    expect(categoryOf('UNKNOWN_WAVE')).toBe('BAD_USER_INPUT');
  });
});
