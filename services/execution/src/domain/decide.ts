import type { PlanSnapshot, PlanStep, StartExecutionOptions } from '@lifeboat/service-api';
import { may } from '@lifeboat/service-api';
import type {
  ApproveStep, CancelExecution, CleanupDrill, CommandMetadata, ExecutionCommand, PauseExecution, RecordCleanupResult, RecordRecoveryJobStarted,
  RecordServerLaunchRefused, RecordServerLaunchResult, RecordStepResult, RecordTimerElapsed, RecordVerification, RejectStep, ResumeExecution, RetryFailedServers, StartExecution,
} from './commands.js';
import { ExecutionInvariantError } from './errors.js';
import type { CleanupTrigger, ExecutionEvent, ExecutionEventData, ExecutionEventType, RecoveryInstanceRef, TimerPurpose } from './events.js';
import { evolve } from './evolve.js';
import { eventIdOf, isEc2InstanceId } from './ids.js';
import type { ApprovalState, ExecutionState, FinishedState, LiveState, ServerState, StartedState, StepState, WaveState } from './state.js';
import { hasActiveLaunch, hasFailed, hasLaunchResult, hasVerificationResult, isLive, isServerDone, isServerInFlight, isStepDone, SECOND_APPROVAL_ID } from './state.js';

/** DRS quota: at most 100 source servers in one recovery job. */
export const MAX_SERVERS_PER_JOB = 100;

/**
 * Collects the events of one decision, evolving a working copy of the state as it goes so that
 * later rules (wave completion, the next waves of the DAG) see the earlier events.
 */
class Decision {
  readonly events: ExecutionEvent[] = [];
  constructor(
    public state: ExecutionState,
    private readonly metadata: CommandMetadata,
    private readonly correlationId: string,
  ) {}

  /** When the decision is made. */
  get now(): string {
    return this.metadata.now;
  }

  emit<T extends ExecutionEventType>(type: T, data: ExecutionEventData[T]): void {
    const event = {
      type,
      data,
      metadata: {
        eventId: eventIdOf(this.metadata.commandId, this.events.length),
        schemaVersion: 1,
        occurredAt: this.metadata.now,
        correlationId: this.correlationId,
        causationId: this.metadata.causationId,
        actor: this.metadata.actor,
      },
    } as ExecutionEvent;
    this.events.push(event);
    this.state = evolve(this.state, event);
  }

  /** The working state while the execution is not finished. */
  live(): LiveState | undefined {
    return isLive(this.state) ? this.state : undefined;
  }

  started(): StartedState | undefined {
    return this.state.status === 'NOT_STARTED' ? undefined : this.state;
  }
}

/**
 * Decides which events a command causes in the given state: pure, no clock, no ids of its own.
 * Throws ExecutionInvariantError when the command cannot happen (nothing is then appended);
 * answers no events when the command was already applied (duplicates are expected).
 */
export function decide(command: ExecutionCommand, state: ExecutionState): ExecutionEvent[] {
  switch (command.type) {
    case 'StartExecution':
      return startExecution(command, state);
    case 'RecordRecoveryJobStarted':
      return recordRecoveryJobStarted(command, state);
    case 'RecordServerLaunchResult':
      return recordServerLaunchResult(command, state);
    case 'RecordServerLaunchRefused':
      return recordServerLaunchRefused(command, state);
    case 'RecordVerification':
      return recordVerification(command, state);
    case 'PauseExecution':
      return pauseExecution(command, state);
    case 'ResumeExecution':
      return resumeExecution(command, state);
    case 'CancelExecution':
      return cancelExecution(command, state);
    case 'ApproveStep':
    case 'RejectStep':
      return decideApproval(command, state);
    case 'RecordStepResult':
      return recordStepResult(command, state);
    case 'RecordTimerElapsed':
      return recordTimerElapsed(command, state);
    case 'RetryFailedServers':
      return retryFailedServers(command, state);
    case 'CleanupDrill':
      return cleanupDrill(command, state);
    case 'RecordCleanupResult':
      return recordCleanupResult(command, state);
    default: {
      const unexpected: never = command;
      throw new Error(`Unknown command ${(unexpected as { type: string }).type}`);
    }
  }
}

// ---------------------------------------------------------------- commands

function startExecution(command: StartExecution, state: ExecutionState): ExecutionEvent[] {
  if (state.status !== 'NOT_STARTED') {
    throw new ExecutionInvariantError('EXECUTION_ALREADY_STARTED', `Execution ${state.executionId} has already started`);
  }
  const { executionId, mode, options } = command.data;
  const plan = options ? narrowPlan(command.data.plan, options) : command.data.plan;
  const problems = planProblems(plan);
  if (problems.length > 0) throw new ExecutionInvariantError('INVALID_PLAN', `Plan ${plan.planId} v${plan.version} cannot run: ${problems.join('; ')}`, problems);
  const d = new Decision(state, command.metadata, executionId);
  d.emit('ExecutionStarted', { executionId, planId: plan.planId, planVersion: plan.version, mode, plan, ...(options ? { options: structuredClone(options) } : {}) });
  const ttlHours = plan.settings?.drill?.autoCleanupAfterHours;
  if (mode === 'DRILL' && ttlHours !== undefined && ttlHours > 0) scheduleTimer(d, 'drill-ttl', 'DRILL_TTL', ttlHours * 3600, {});
  if (mode === 'RECOVERY' && plan.settings?.requireSecondApprover === true) {
    const starter = command.metadata.actor;
    d.emit('ApprovalRequested', {
      executionId,
      approvalId: SECOND_APPROVAL_ID,
      kind: 'SECOND_APPROVER',
      prompt: `${starter.name ?? starter.id} started a RECOVERY of ${plan.name} v${plan.version}: a second RecoveryManager must approve it before any launch`,
      approverRole: 'RecoveryManager',
      permission: 'recovery:approve',
      excludedUserIds: [starter.id],
    });
  }
  advance(d);
  return d.events;
}

function recordRecoveryJobStarted(command: RecordRecoveryJobStarted, state: ExecutionState): ExecutionEvent[] {
  const running = requireLive(state);
  const { batchId, jobId, accountId, region, sourceServerIds, isDrill } = command.data;
  const batch = running.batches.get(batchId);
  if (!batch) throw new ExecutionInvariantError('UNKNOWN_BATCH', `Execution ${running.executionId} requested no batch ${batchId}`);
  if (batch.jobId === jobId) return [];
  if (batch.jobId) throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Batch ${batchId} already runs in job ${batch.jobId}, not ${jobId}`);
  const otherBatch = running.jobs.get(jobId);
  if (otherBatch) throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Job ${jobId} already runs batch ${otherBatch}`);
  if (accountId !== batch.accountId || region !== batch.region) {
    throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Batch ${batchId} is in ${batch.accountId}/${batch.region}, not ${accountId}/${region}`);
  }
  if (!sameMembers(sourceServerIds, batch.sourceServerIds)) {
    throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Job ${jobId} does not launch exactly the servers of batch ${batchId}`);
  }
  if (isDrill !== (running.mode === 'DRILL')) {
    throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `A ${isDrill ? 'drill' : 'recovery'} job cannot serve a ${running.mode} execution`);
  }
  const d = new Decision(state, command.metadata, running.executionId);
  d.emit('RecoveryJobStarted', { executionId: running.executionId, waveId: batch.waveId, batchId, jobId, accountId, region, sourceServerIds: [...batch.sourceServerIds], isDrill });
  return d.events;
}

function recordServerLaunchResult(command: RecordServerLaunchResult, state: ExecutionState): ExecutionEvent[] {
  const running = requireLive(state);
  const { jobId, sourceServerId, outcome, recoveryInstanceId, ec2InstanceId, reason } = command.data;
  // Checked before anything is decided: a malformed id would make the stored event break its schema.
  if (ec2InstanceId !== undefined && !isEc2InstanceId(ec2InstanceId)) throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `${ec2InstanceId} is not an EC2 instance id`);
  const server = requireServer(running, sourceServerId);
  const batchId = running.jobs.get(jobId);
  if (!batchId) throw new ExecutionInvariantError('UNKNOWN_JOB', `Execution ${running.executionId} has no job ${jobId}`);
  if (server.jobId !== jobId) {
    // A late result of the job of an earlier attempt (before RetryFailedServers) changes nothing.
    if (running.batches.get(batchId)?.sourceServerIds.includes(sourceServerId)) return [];
    throw new ExecutionInvariantError('UNKNOWN_SERVER', `Server ${sourceServerId} is not part of job ${jobId}`);
  }
  if (hasLaunchResult(server)) return [];

  const d = new Decision(state, command.metadata, running.executionId);
  const ref = serverRef(running.executionId, server);
  if (outcome === 'LAUNCHED') {
    d.emit('ServerLaunched', { ...ref, jobId, ...(recoveryInstanceId ? { recoveryInstanceId } : {}), ...(ec2InstanceId ? { ec2InstanceId } : {}) });
    settle(d);
    return d.events;
  }
  const why = reason && reason.length > 0 ? reason : 'DRS could not launch the recovery instance';
  d.emit('ServerLaunchFailed', { ...ref, jobId, reason: why });
  if (server.criticality === 'CRITICAL' && running.status !== 'CANCELLING') failWave(d, server.waveId, `critical server ${describe(server)} failed to launch: ${why}`, [server.sourceServerId]);
  else settle(d);
  return d.events;
}

function recordServerLaunchRefused(command: RecordServerLaunchRefused, state: ExecutionState): ExecutionEvent[] {
  const running = requireLive(state);
  const { batchId, sourceServerIds, reason } = command.data;
  const batch = running.batches.get(batchId);
  if (!batch) throw new ExecutionInvariantError('UNKNOWN_BATCH', `Execution ${running.executionId} requested no batch ${batchId}`);
  const servers = [...new Set(sourceServerIds)].map((id) => requireServer(running, id));
  const strangers = servers.filter((s) => !batch.sourceServerIds.includes(s.sourceServerId));
  if (strangers.length > 0) throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Servers ${strangers.map((s) => s.sourceServerId).join(', ')} are not part of batch ${batchId}`);
  // Finished servers, and those requested again in a later batch (a retry), are not this refusal's.
  const refused = servers.filter((s) => s.batchId === batchId && hasActiveLaunch(s));
  if (refused.length === 0) return [];

  const d = new Decision(state, command.metadata, running.executionId);
  const why = reason.length > 0 ? reason : 'DRS refused to launch it';
  for (const server of refused) d.emit('ServerLaunchFailed', { ...serverRef(running.executionId, server), reason: why });
  const critical = refused.filter((s) => s.criticality === 'CRITICAL');
  if (critical.length > 0 && running.status !== 'CANCELLING') {
    const who = critical.length === 1 ? `critical server ${describe(critical[0]!)}` : `critical servers ${critical.map(describe).join(', ')}`;
    failWave(d, batch.waveId, `${who} failed to launch: ${why}`, critical.map((s) => s.sourceServerId));
  } else {
    settle(d);
  }
  return d.events;
}

function recordVerification(command: RecordVerification, state: ExecutionState): ExecutionEvent[] {
  const running = requireLive(state);
  const { verificationEventId, sourceServerId, outcome, checks, reason, ec2InstanceId } = command.data;
  const server = requireServer(running, sourceServerId);
  if (running.verificationEventIds.has(verificationEventId) || hasVerificationResult(server)) return [];
  if (server.status !== 'LAUNCHED') {
    throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Server ${sourceServerId} cannot be verified while ${server.status}`);
  }
  const recoveryInstanceId = command.data.recoveryInstanceId ?? server.recoveryInstanceId;
  const d = new Decision(state, command.metadata, running.executionId);
  d.emit('ServerVerificationRecorded', {
    ...serverRef(running.executionId, server),
    ...(recoveryInstanceId ? { recoveryInstanceId } : {}),
    ...(ec2InstanceId ? { ec2InstanceId } : {}),
    checks: checks.map((c) => ({ ...c })),
    outcome,
    ...(reason ? { reason } : {}),
    verificationEventId,
  });
  if (outcome === 'FAILED' && server.criticality === 'CRITICAL' && running.status !== 'CANCELLING') {
    failWave(d, server.waveId, `critical server ${describe(server)} failed verification: ${reason && reason.length > 0 ? reason : 'a check failed'}`, [server.sourceServerId]);
  } else {
    settle(d);
  }
  return d.events;
}

function pauseExecution(command: PauseExecution, state: ExecutionState): ExecutionEvent[] {
  const live = requireLive(state);
  if (live.status === 'CANCELLING') throw new ExecutionInvariantError('CANCELLING', `Execution ${live.executionId} is being cancelled`);
  const { beforeWaveId } = command.data;
  const d = new Decision(state, command.metadata, live.executionId);
  if (beforeWaveId === undefined) {
    if (live.status === 'PAUSED') throw new ExecutionInvariantError('ALREADY_PAUSED', `Execution ${live.executionId} is already paused`);
    d.emit('ExecutionPaused', { executionId: live.executionId });
    return d.events;
  }
  const wave = live.waves.get(beforeWaveId);
  if (!wave) throw new ExecutionInvariantError('UNKNOWN_WAVE', `Execution ${live.executionId} runs no wave ${beforeWaveId}`);
  if (wave.status !== 'PENDING') throw new ExecutionInvariantError('WAVE_ALREADY_STARTED', `Wave ${wave.name} is already ${wave.status}`);
  if (live.pauseBeforeWaveIds.has(beforeWaveId)) return [];
  d.emit('ExecutionPauseScheduled', { executionId: live.executionId, beforeWaveId });
  return d.events;
}

function resumeExecution(command: ResumeExecution, state: ExecutionState): ExecutionEvent[] {
  const live = requireLive(state);
  if (live.status !== 'PAUSED') {
    throw new ExecutionInvariantError(live.status === 'CANCELLING' ? 'CANCELLING' : 'NOT_PAUSED', `Execution ${live.executionId} is ${live.status}, not paused`);
  }
  const d = new Decision(state, command.metadata, live.executionId);
  d.emit('ExecutionResumed', { executionId: live.executionId, pausedMs: elapsedMs(live.pausedAt, d.now) });
  settle(d);
  return d.events;
}

function cancelExecution(command: CancelExecution, state: ExecutionState): ExecutionEvent[] {
  const live = requireLive(state);
  if (live.status === 'CANCELLING') return [];
  const terminateInstances = command.data.terminateInstances === true;
  if (terminateInstances && live.mode !== 'DRILL') throw new ExecutionInvariantError('NOT_A_DRILL', 'Only the instances of a drill can be terminated on cancel');
  const d = new Decision(state, command.metadata, live.executionId);
  d.emit('CancelRequested', { executionId: live.executionId, terminateInstances, ...(command.data.reason ? { reason: command.data.reason } : {}) });
  settle(d);
  return d.events;
}

function decideApproval(command: ApproveStep | RejectStep, state: ExecutionState): ExecutionEvent[] {
  const live = requireLive(state);
  const { approvalId, comment } = command.data;
  const approval = live.approvals.get(approvalId);
  if (!approval) throw new ExecutionInvariantError('UNKNOWN_APPROVAL', `Execution ${live.executionId} asked for no approval ${approvalId}`);
  if (approval.status !== 'PENDING') throw new ExecutionInvariantError('APPROVAL_NOT_PENDING', `Approval ${approvalId} is ${approval.status}, not pending`);
  authorizeApprover(approval, command.metadata);
  const { actor } = command.metadata;
  const d = new Decision(state, command.metadata, live.executionId);
  const decision = { ...approvalRef(live.executionId, approval), approverId: actor.id, ...(actor.name ? { approverName: actor.name } : {}), ...(comment ? { comment } : {}) };
  const step = approval.stepId ? live.steps.get(approval.stepId) : undefined;
  if (command.type === 'ApproveStep') {
    d.emit('ApprovalGranted', decision);
    if (step) d.emit('StepCompleted', { ...stepRef(live.executionId, step), stepType: step.step.type, ...(comment ? { output: comment } : {}) });
    settle(d);
    return d.events;
  }
  d.emit('ApprovalRejected', decision);
  const who = actor.name ?? actor.id;
  if (step) {
    failStep(d, step, `rejected by ${who}${comment ? `: ${comment}` : ''}`, 'FAIL');
  } else {
    d.emit('ExecutionFailed', { executionId: live.executionId, planId: live.plan.planId, mode: live.mode, reason: `the second approver ${who} rejected the recovery${comment ? `: ${comment}` : ''}` });
  }
  return d.events;
}

function recordStepResult(command: RecordStepResult, state: ExecutionState): ExecutionEvent[] {
  const live = requireLive(state);
  const { stepId, outcome, output, reason } = command.data;
  const step = live.steps.get(stepId);
  if (!step) throw new ExecutionInvariantError('UNKNOWN_STEP', `Execution ${live.executionId} has no step ${stepId}`);
  if (step.step.type !== 'SSM_DOCUMENT' && step.step.type !== 'LAMBDA') {
    throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Step ${stepId} is a ${step.step.type} step: it has no result to record`);
  }
  if (step.status === 'PENDING') throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Step ${stepId} has not started`);
  // Duplicates, and results after a timeout, change nothing.
  if (step.status !== 'RUNNING') return [];
  const d = new Decision(state, command.metadata, live.executionId);
  if (outcome === 'SUCCEEDED') {
    d.emit('StepCompleted', { ...stepRef(live.executionId, step), stepType: step.step.type, ...(output !== undefined ? { output } : {}) });
    settle(d);
  } else {
    failStep(d, step, reason && reason.length > 0 ? reason : `the ${step.step.type === 'LAMBDA' ? 'function' : 'document'} failed`, step.step.onFailure);
  }
  return d.events;
}

function recordTimerElapsed(command: RecordTimerElapsed, state: ExecutionState): ExecutionEvent[] {
  if (state.status === 'NOT_STARTED') throw new ExecutionInvariantError('EXECUTION_NOT_STARTED', 'The execution has not started');
  const timer = state.timers.get(command.data.timerId);
  if (!timer) throw new ExecutionInvariantError('UNKNOWN_TIMER', `Execution ${state.executionId} scheduled no timer ${command.data.timerId}`);
  if (timer.status === 'ELAPSED') return [];
  // A finished execution only still cares for its drill TTL.
  if (!isLive(state) && timer.purpose !== 'DRILL_TTL') return [];
  const d = new Decision(state, command.metadata, state.executionId);
  d.emit('TimerElapsed', { executionId: state.executionId, timerId: timer.timerId, purpose: timer.purpose });
  const live = d.live();
  const step = timer.stepId ? live?.steps.get(timer.stepId) : undefined;
  switch (timer.purpose) {
    case 'DRILL_TTL':
      if (live) {
        if (live.status !== 'CANCELLING') d.emit('CancelRequested', { executionId: live.executionId, terminateInstances: true, reason: 'the drill reached its time to live' });
        settle(d);
      } else {
        startCleanup(d, 'TTL');
      }
      break;
    case 'WAIT_STEP':
      if (live && step?.status === 'RUNNING') {
        d.emit('StepCompleted', { ...stepRef(live.executionId, step), stepType: step.step.type });
        settle(d);
      }
      break;
    case 'APPROVAL_TIMEOUT': {
      const approval = step ? live?.approvals.get(step.stepId) : undefined;
      if (live && step && approval?.status === 'PENDING' && step.step.type === 'APPROVAL') {
        d.emit('ApprovalTimedOut', { ...approvalRef(live.executionId, approval), onTimeout: step.step.onTimeout });
        failStep(d, step, `nobody approved within ${step.step.timeoutSeconds} s`, step.step.onTimeout);
      }
      break;
    }
    case 'STEP_TIMEOUT':
      if (live && step?.status === 'RUNNING' && (step.step.type === 'SSM_DOCUMENT' || step.step.type === 'LAMBDA')) {
        failStep(d, step, `timed out after ${step.step.timeoutSeconds} s`, step.step.onFailure);
      }
      break;
    case 'LAUNCH_DELAY':
      settle(d);
      break;
    default: {
      const unexpected: never = timer.purpose;
      throw new Error(`Unknown timer purpose ${String(unexpected)}`);
    }
  }
  return d.events;
}

function retryFailedServers(command: RetryFailedServers, state: ExecutionState): ExecutionEvent[] {
  const finished = requireFinished(state);
  if (finished.status === 'CANCELLED') throw new ExecutionInvariantError('EXECUTION_FINISHED', `Execution ${finished.executionId} was cancelled`);
  // A wave failed by a step cannot be mended by relaunching its servers.
  const stepFailedWaves = new Set([...finished.steps.values()].filter((s) => s.status === 'FAILED' && s.onFailure === 'FAIL').map((s) => s.waveId));
  const retryable = (s: ServerState) => hasFailed(s) && !hasActiveLaunch(s) && !stepFailedWaves.has(s.waveId);
  let servers: ServerState[];
  if (command.data.sourceServerIds) {
    servers = command.data.sourceServerIds.map((id) => requireServer(finished, id));
    const not = servers.filter((s) => !retryable(s));
    if (not.length > 0) throw new ExecutionInvariantError('NOTHING_TO_RETRY', `Servers ${not.map((s) => s.sourceServerId).join(', ')} cannot be retried: only failed servers of waves not failed by a step`);
  } else {
    servers = finished.waveIds.flatMap((w) => finished.waves.get(w)?.serverIds ?? []).map((id) => finished.servers.get(id)).filter((s): s is ServerState => s !== undefined && retryable(s));
  }
  if (servers.length === 0) throw new ExecutionInvariantError('NOTHING_TO_RETRY', `Execution ${finished.executionId} has no failed server to retry`);
  const ids = new Set(servers.map((s) => s.sourceServerId));
  const reopened = finished.waveIds.filter((w) => {
    const wave = finished.waves.get(w);
    return wave !== undefined && (wave.status === 'FAILED' || wave.status === 'COMPLETED') && wave.serverIds.some((id) => ids.has(id));
  });
  const reopenedSet = new Set(reopened);
  const unskipped = finished.waveIds.filter((w) => {
    const wave = finished.waves.get(w);
    return wave?.status === 'SKIPPED' && (wave.skippedBecause ?? []).every((f) => reopenedSet.has(f));
  });
  const d = new Decision(state, command.metadata, finished.executionId);
  d.emit('ServersRetried', { executionId: finished.executionId, attempt: finished.retries + 1, sourceServerIds: [...ids], reopenedWaveIds: reopened, unskippedWaveIds: unskipped });
  settle(d);
  return d.events;
}

function cleanupDrill(command: CleanupDrill, state: ExecutionState): ExecutionEvent[] {
  if (state.status === 'NOT_STARTED') throw new ExecutionInvariantError('EXECUTION_NOT_STARTED', 'The execution has not started');
  if (state.mode !== 'DRILL') throw new ExecutionInvariantError('NOT_A_DRILL', `Execution ${state.executionId} is a ${state.mode}: its instances are not cleaned up`);
  if (isLive(state)) throw new ExecutionInvariantError('EXECUTION_STILL_RUNNING', `Execution ${state.executionId} is ${state.status}: cancel it with terminateInstances instead`);
  if (state.cleanup?.status === 'IN_PROGRESS') return [];
  if (instancesToTerminate(state).length === 0) throw new ExecutionInvariantError('NOTHING_TO_CLEAN_UP', `Execution ${state.executionId} has no recovery instance left to terminate`);
  const d = new Decision(state, command.metadata, state.executionId);
  startCleanup(d, 'ON_DEMAND');
  return d.events;
}

function recordCleanupResult(command: RecordCleanupResult, state: ExecutionState): ExecutionEvent[] {
  if (state.status === 'NOT_STARTED') throw new ExecutionInvariantError('EXECUTION_NOT_STARTED', 'The execution has not started');
  if (state.cleanup?.status === 'COMPLETED') return [];
  if (state.cleanup?.status !== 'IN_PROGRESS') throw new ExecutionInvariantError('CLEANUP_NOT_STARTED', `Execution ${state.executionId} started no cleanup`);
  const d = new Decision(state, command.metadata, state.executionId);
  d.emit('DrillCleanupCompleted', {
    executionId: state.executionId,
    terminatedRecoveryInstanceIds: [...command.data.terminatedRecoveryInstanceIds],
    failed: (command.data.failed ?? []).map((f) => ({ ...f })),
  });
  return d.events;
}

// ---------------------------------------------------------------- rules shared by the commands

/** Moves on as far as the status allows: RUNNING advances, CANCELLING may finish, PAUSED waits. */
function settle(d: Decision): void {
  const live = d.live();
  if (!live) return;
  switch (live.status) {
    case 'RUNNING':
      advance(d);
      return;
    case 'CANCELLING':
      finishCancel(d);
      return;
    case 'PAUSED':
      return;
    default: {
      const unexpected: never = live;
      throw new Error(`Unknown state ${JSON.stringify(unexpected)}`);
    }
  }
}

/**
 * Moves the execution forward as far as the state allows: starts every wave whose dependencies
 * all completed (a DAG) unless the execution is to pause before it, runs each running wave's
 * steps and launches, and ends the execution when no wave can run any more.
 */
function advance(d: Decision): void {
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const waveId of d.live()?.waveIds ?? []) {
      const current = d.live();
      if (current?.status !== 'RUNNING') return;
      // A RECOVERY that needs a second approver starts nothing before it is granted.
      if (current.approvals.get(SECOND_APPROVAL_ID)?.status === 'PENDING') return;
      const wave = current.waves.get(waveId);
      if (!wave) continue;
      if (wave.status === 'PENDING' && wave.dependsOn.every((dep) => current.waves.get(dep)?.status === 'COMPLETED')) {
        if (current.pauseBeforeWaveIds.has(waveId)) {
          d.emit('ExecutionPaused', { executionId: current.executionId, beforeWaveId: waveId });
          return;
        }
        d.emit('WaveStarted', { executionId: current.executionId, waveId, name: wave.name });
        progressed = true;
      }
      if (runWave(d, waveId)) progressed = true;
    }
  }
  const running = d.live();
  if (running?.status !== 'RUNNING') return;
  const waves = running.waveIds.map((id) => running.waves.get(id)).filter((w): w is WaveState => w !== undefined);
  if (!waves.every((w) => w.status === 'COMPLETED' || w.status === 'FAILED' || w.status === 'SKIPPED')) return;
  const failed = waves.filter((w) => w.status === 'FAILED');
  if (failed.length === 0 && waves.every((w) => w.status === 'COMPLETED')) {
    d.emit('ExecutionCompleted', { executionId: running.executionId, planId: running.plan.planId, mode: running.mode, durationMs: elapsedMs(running.startedAt, d.now) });
    return;
  }
  const skipped = waves.filter((w) => w.status === 'SKIPPED');
  d.emit('ExecutionFailed', {
    executionId: running.executionId,
    planId: running.plan.planId,
    mode: running.mode,
    reason: `waves ${failed.map((w) => w.name).join(', ')} failed${skipped.length > 0 ? `; ${skipped.map((w) => w.name).join(', ')} skipped` : ''}`,
  });
}

/** Runs a running wave one stage further: its pre-steps in turn, its launches, its post-steps in turn, then completes it. */
function runWave(d: Decision, waveId: string): boolean {
  const running = d.live();
  const wave = running?.waves.get(waveId);
  if (running?.status !== 'RUNNING' || !wave || wave.status !== 'RUNNING') return false;
  const stage = runSteps(d, running, wave.preStepIds);
  if (stage !== 'DONE') return stage === 'STARTED';
  const servers = wave.serverIds.map((id) => running.servers.get(id)).filter((s): s is ServerState => s !== undefined);
  if (!servers.every(isServerDone)) return requestLaunches(d, wave, servers);
  const post = runSteps(d, running, wave.postStepIds);
  if (post !== 'DONE') return post === 'STARTED';
  d.emit('WaveCompleted', { executionId: running.executionId, waveId });
  return true;
}

/** Starts the first step not yet started, unless one is still running. */
function runSteps(d: Decision, running: LiveState, stepIds: readonly string[]): 'DONE' | 'STARTED' | 'WAITING' {
  for (const stepId of stepIds) {
    const step = running.steps.get(stepId);
    if (!step || isStepDone(step)) continue;
    if (step.status !== 'PENDING') return 'WAITING';
    startStep(d, step);
    return 'STARTED';
  }
  return 'DONE';
}

function startStep(d: Decision, step: StepState): void {
  const live = d.live();
  if (!live) return;
  const { executionId } = live;
  const ref = stepRef(executionId, step);
  const definition: PlanStep = structuredClone(step.step);
  d.emit('StepStarted', { ...ref, step: definition });
  const subject = { waveId: step.waveId, stepId: step.stepId };
  switch (definition.type) {
    case 'WAIT':
      if (definition.durationSeconds > 0) scheduleTimer(d, `wait:${step.stepId}`, 'WAIT_STEP', definition.durationSeconds, subject);
      else d.emit('StepCompleted', { ...ref, stepType: 'WAIT' });
      return;
    case 'APPROVAL': {
      const permission = live.mode === 'RECOVERY' ? 'recovery:approve' : 'drill:approve';
      d.emit('ApprovalRequested', {
        executionId, approvalId: step.stepId, kind: 'STEP', waveId: step.waveId, stepId: step.stepId,
        prompt: definition.prompt, ...(definition.approverRole ? { approverRole: definition.approverRole } : {}), permission, excludedUserIds: [],
        expiresAt: addSeconds(d.now, definition.timeoutSeconds),
      });
      scheduleTimer(d, `approval:${step.stepId}`, 'APPROVAL_TIMEOUT', definition.timeoutSeconds, subject);
      return;
    }
    case 'SSM_DOCUMENT':
    case 'LAMBDA':
      scheduleTimer(d, `timeout:${step.stepId}`, 'STEP_TIMEOUT', definition.timeoutSeconds, subject);
      return;
    default: {
      const unexpected: never = definition;
      throw new Error(`Unknown step ${JSON.stringify(unexpected)}`);
    }
  }
}

/** StepFailed; a FAIL fails the wave (while not cancelling), a CONTINUE lets it go on. */
function failStep(d: Decision, step: StepState, reason: string, onFailure: 'FAIL' | 'CONTINUE'): void {
  const live = d.live();
  if (!live) return;
  d.emit('StepFailed', { ...stepRef(live.executionId, step), stepType: step.step.type, reason, onFailure });
  if (onFailure === 'FAIL' && live.status !== 'CANCELLING') failWave(d, step.waveId, `step ${step.step.name} failed: ${reason}`, []);
  else settle(d);
}

/** Requests the launches a wave's servers may make now; true when something was decided. */
function requestLaunches(d: Decision, wave: WaveState, servers: ServerState[]): boolean {
  const pending = servers.filter((s) => s.status === 'PENDING');
  if (pending.length === 0) return false;
  switch (wave.launchOrder) {
    case 'PARALLEL':
      for (const batch of parallelBatches(pending)) requestBatch(d, wave.waveId, batch);
      return true;
    case 'SEQUENTIAL': {
      // Boot order: one server at a time, the next when the previous is launched and verified (or failed).
      const next = pending[0];
      if (servers.some(isServerInFlight) || !next) return false;
      if (next.delay === 'WAITING') return false;
      const afterAnother = servers.some((s) => s !== next && s.status !== 'PENDING');
      if (next.delay === undefined && afterAnother && (next.delaySeconds ?? 0) > 0) {
        scheduleTimer(d, `delay:${next.sourceServerId}`, 'LAUNCH_DELAY', next.delaySeconds ?? 0, { waveId: wave.waveId, sourceServerId: next.sourceServerId });
        return true;
      }
      requestBatch(d, wave.waveId, [next]);
      return true;
    }
    default: {
      const unexpected: never = wave.launchOrder;
      throw new Error(`Unknown launch order ${String(unexpected)}`);
    }
  }
}

/** Groups servers by account and region (one DRS job each), at most MAX_SERVERS_PER_JOB per job. */
function parallelBatches(servers: ServerState[]): ServerState[][] {
  const byTarget = new Map<string, ServerState[]>();
  for (const server of servers) {
    const key = `${server.accountId}/${server.region}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), server]);
  }
  const batches: ServerState[][] = [];
  for (const group of byTarget.values()) {
    for (let i = 0; i < group.length; i += MAX_SERVERS_PER_JOB) batches.push(group.slice(i, i + MAX_SERVERS_PER_JOB));
  }
  return batches;
}

/** Never twice: only PENDING servers (without an active launch) are ever requested. */
function requestBatch(d: Decision, waveId: string, servers: ServerState[]): void {
  const running = d.live();
  if (!running) return;
  const batchId = `${waveId}-b${(running.waves.get(waveId)?.batchIds.length ?? 0) + 1}`;
  let leader = true;
  for (const server of servers) {
    if (server.status !== 'PENDING') continue;
    d.emit('ServerLaunchRequested', { ...serverRef(running.executionId, server), batchId, ...(leader ? { batchLeader: true as const } : {}), ...(server.pointInTime ? { pointInTime: { ...server.pointInTime } } : {}) });
    leader = false;
  }
}

/**
 * WaveFailed, then its error policy: STOP fails the execution; CONTINUE skips every wave that
 * depends on it (directly or not) and lets the others go on.
 */
function failWave(d: Decision, waveId: string, reason: string, failedServerIds: string[]): void {
  const live = d.live();
  const wave = live?.waves.get(waveId);
  if (!live || !wave) return;
  if (wave.status === 'FAILED') {
    settle(d);
    return;
  }
  d.emit('WaveFailed', { executionId: live.executionId, waveId, reason, failedServerIds });
  if (wave.errorPolicy === 'STOP') {
    d.emit('ExecutionFailed', { executionId: live.executionId, planId: live.plan.planId, mode: live.mode, reason: `wave ${wave.name} failed: ${reason}` });
    return;
  }
  skipDependents(d);
  settle(d);
}

function skipDependents(d: Decision): void {
  let skipped = true;
  while (skipped) {
    skipped = false;
    const live = d.live();
    if (!live) return;
    for (const waveId of live.waveIds) {
      const current = d.live();
      const wave = current?.waves.get(waveId);
      if (!current || !wave || wave.status !== 'PENDING') continue;
      const because = new Set<string>();
      for (const dep of wave.dependsOn) {
        const other = current.waves.get(dep);
        if (other?.status === 'FAILED') because.add(dep);
        if (other?.status === 'SKIPPED') for (const f of other.skippedBecause ?? []) because.add(f);
      }
      if (because.size === 0) continue;
      const names = [...because].map((id) => current.waves.get(id)?.name ?? id);
      d.emit('WaveSkipped', { executionId: current.executionId, waveId, reason: `it depends on failed wave ${names.join(', ')}`, failedWaveIds: [...because] });
      skipped = true;
    }
  }
}

/** A cancelling execution is cancelled once no launch is in flight; a drill's instances are then terminated if asked. */
function finishCancel(d: Decision): void {
  const live = d.live();
  if (live?.status !== 'CANCELLING') return;
  if ([...live.servers.values()].some(hasActiveLaunch)) return;
  d.emit('ExecutionCancelled', { executionId: live.executionId, planId: live.plan.planId, mode: live.mode, durationMs: elapsedMs(live.startedAt, d.now) });
  if (live.mode === 'DRILL' && live.cancel?.terminateInstances === true) startCleanup(d, 'CANCEL');
}

/** DrillCleanupStarted for the recovery instances not terminated yet (nothing when there are none). */
function startCleanup(d: Decision, trigger: CleanupTrigger): void {
  const state = d.started();
  if (!state || state.mode !== 'DRILL' || state.cleanup?.status === 'IN_PROGRESS') return;
  const recoveryInstances = instancesToTerminate(state);
  if (recoveryInstances.length === 0) return;
  const jobIds = [...new Set([...state.batches.values()].map((b) => b.jobId).filter((j): j is string => j !== undefined))];
  d.emit('DrillCleanupStarted', { executionId: state.executionId, trigger, recoveryInstances, jobIds });
}

function instancesToTerminate(state: StartedState): RecoveryInstanceRef[] {
  const refs: RecoveryInstanceRef[] = [];
  for (const waveId of state.waveIds) {
    for (const id of state.waves.get(waveId)?.serverIds ?? []) {
      const s = state.servers.get(id);
      if (!s?.recoveryInstanceId || state.terminatedRecoveryInstanceIds.has(s.recoveryInstanceId)) continue;
      refs.push({ sourceServerId: s.sourceServerId, accountId: s.accountId, region: s.region, recoveryInstanceId: s.recoveryInstanceId });
    }
  }
  return refs;
}

function scheduleTimer(d: Decision, timerId: string, purpose: TimerPurpose, delaySeconds: number, subject: { waveId?: string; stepId?: string; sourceServerId?: string }): void {
  const state = d.started();
  if (!state) return;
  d.emit('TimerScheduled', { executionId: state.executionId, timerId, purpose, fireAt: addSeconds(d.now, delaySeconds), delaySeconds, ...subject });
}

/** The approver holds the approval's permission (drill:approve / recovery:approve), its role when set, and is not excluded. */
function authorizeApprover(approval: ApprovalState, metadata: CommandMetadata): void {
  const { actor } = metadata;
  const roles = metadata.roles ?? [];
  if (approval.excludedUserIds.includes(actor.id)) {
    throw new ExecutionInvariantError(
      approval.kind === 'SECOND_APPROVER' ? 'SECOND_APPROVER_IS_STARTER' : 'NOT_PERMITTED',
      approval.kind === 'SECOND_APPROVER' ? 'The second approver must be another person than the one who started the recovery' : `${actor.id} may not decide approval ${approval.approvalId}`,
    );
  }
  if (!may(roles, approval.permission)) throw new ExecutionInvariantError('NOT_PERMITTED', `Approval ${approval.approvalId} needs the ${approval.permission} permission`);
  if (approval.approverRole && !roles.includes(approval.approverRole) && !roles.includes('Admin')) {
    throw new ExecutionInvariantError('NOT_PERMITTED', `Approval ${approval.approvalId} needs the ${approval.approverRole} role`);
  }
}

// ---------------------------------------------------------------- start options

/**
 * The plan as it runs with the chosen waves and servers: a wave keeps as dependencies the
 * nearest chosen waves it depended on; a wave left without servers by the server choice goes.
 */
function narrowPlan(plan: PlanSnapshot, options: StartExecutionOptions): PlanSnapshot {
  const problems: string[] = [];
  const waveIds = new Set(plan.waves.map((w) => w.waveId));
  const serverIds = new Set(plan.waves.flatMap((w) => w.servers.map((s) => s.sourceServerId)));
  for (const id of options.waveIds ?? []) if (!waveIds.has(id)) problems.push(`waveIds: the plan has no wave ${id}`);
  for (const id of options.sourceServerIds ?? []) if (!serverIds.has(id)) problems.push(`sourceServerIds: the plan has no server ${id}`);
  if (options.waveIds?.length === 0) problems.push('waveIds: choose at least one wave (or leave it out)');
  if (options.sourceServerIds?.length === 0) problems.push('sourceServerIds: choose at least one server (or leave it out)');
  const chosenWaves = options.waveIds ? new Set(options.waveIds) : undefined;
  const chosenServers = options.sourceServerIds ? new Set(options.sourceServerIds) : undefined;
  const kept = plan.waves
    .filter((w) => !chosenWaves || chosenWaves.has(w.waveId))
    .map((w) => ({ ...w, servers: w.servers.filter((s) => !chosenServers || chosenServers.has(s.sourceServerId)) }))
    .filter((w) => !chosenServers || w.servers.length > 0 || (plan.waves.find((p) => p.waveId === w.waveId)?.servers.length ?? 0) === 0);
  const keptIds = new Set(kept.map((w) => w.waveId));
  const byId = new Map(plan.waves.map((w) => [w.waveId, w]));
  const nearestKept = (waveId: string, seen: Set<string>): string[] => {
    if (seen.has(waveId)) return [];
    seen.add(waveId);
    if (keptIds.has(waveId)) return [waveId];
    return (byId.get(waveId)?.dependsOn ?? []).flatMap((dep) => nearestKept(dep, seen));
  };
  const waves = kept.map((w) => ({ ...w, dependsOn: [...new Set(w.dependsOn.flatMap((dep) => nearestKept(dep, new Set())))] }));
  const runs = new Set(waves.flatMap((w) => w.servers.map((s) => s.sourceServerId)));
  for (const { sourceServerId, pointInTime } of options.pointsInTime ?? []) {
    if (!runs.has(sourceServerId)) problems.push(`pointsInTime: server ${sourceServerId} is not part of the execution`);
    if (pointInTime.type === 'SNAPSHOT' && pointInTime.snapshotId.trim() === '') problems.push(`pointsInTime: server ${sourceServerId} needs a snapshot id`);
    if (pointInTime.type === 'LATEST_BEFORE' && Number.isNaN(Date.parse(pointInTime.before))) problems.push(`pointsInTime: ${pointInTime.before} is not a time`);
  }
  if (problems.length > 0) throw new ExecutionInvariantError('INVALID_OPTIONS', `The options cannot run plan ${plan.planId}: ${problems.join('; ')}`, problems);
  return { ...plan, waves };
}

// ---------------------------------------------------------------- guards and helpers

function requireLive(state: ExecutionState): LiveState {
  if (isLive(state)) return state;
  if (state.status === 'NOT_STARTED') throw new ExecutionInvariantError('EXECUTION_NOT_STARTED', 'The execution has not started');
  throw new ExecutionInvariantError('EXECUTION_FINISHED', `Execution ${state.executionId} has already ${state.status === 'COMPLETED' ? 'completed' : state.status === 'FAILED' ? 'failed' : 'been cancelled'}`);
}

function requireFinished(state: ExecutionState): FinishedState {
  if (state.status === 'NOT_STARTED') throw new ExecutionInvariantError('EXECUTION_NOT_STARTED', 'The execution has not started');
  if (isLive(state)) throw new ExecutionInvariantError('EXECUTION_STILL_RUNNING', `Execution ${state.executionId} is still ${state.status}`);
  return state;
}

function requireServer(state: StartedState, sourceServerId: string): ServerState {
  const server = state.servers.get(sourceServerId);
  if (!server) throw new ExecutionInvariantError('UNKNOWN_SERVER', `Server ${sourceServerId} is not part of execution ${state.executionId}`);
  return server;
}

function serverRef(executionId: string, server: ServerState) {
  return { executionId, waveId: server.waveId, sourceServerId: server.sourceServerId, accountId: server.accountId, region: server.region };
}

function stepRef(executionId: string, step: StepState) {
  return { executionId, waveId: step.waveId, phase: step.phase, stepId: step.stepId };
}

function approvalRef(executionId: string, approval: ApprovalState) {
  return { executionId, approvalId: approval.approvalId, kind: approval.kind, ...(approval.waveId ? { waveId: approval.waveId } : {}), ...(approval.stepId ? { stepId: approval.stepId } : {}) };
}

function describe(server: ServerState): string {
  return server.hostname ? `${server.sourceServerId} (${server.hostname})` : server.sourceServerId;
}

function elapsedMs(from: string, to: string): number {
  return Math.max(0, Math.round(Date.parse(to) - Date.parse(from)));
}

function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && set.size === b.length && b.every((x) => set.has(x));
}

/** Why a plan snapshot cannot run: empty, duplicate ids, unknown or cyclic dependencies. */
export function planProblems(plan: PlanSnapshot): string[] {
  const problems: string[] = [];
  if (plan.waves.length === 0) problems.push('it has no waves');
  const waveIds = new Set<string>();
  const serverWave = new Map<string, string>();
  const stepIds = new Set<string>();
  for (const wave of plan.waves) {
    if (waveIds.has(wave.waveId)) problems.push(`wave ${wave.waveId} appears twice`);
    waveIds.add(wave.waveId);
    for (const server of wave.servers) {
      const other = serverWave.get(server.sourceServerId);
      if (other !== undefined) problems.push(`server ${server.sourceServerId} appears in wave ${other} and wave ${wave.waveId}`);
      serverWave.set(server.sourceServerId, wave.waveId);
    }
    for (const step of [...(wave.preSteps ?? []), ...(wave.postSteps ?? [])]) {
      if (stepIds.has(step.stepId) || step.stepId === SECOND_APPROVAL_ID) problems.push(`step id ${step.stepId} is used twice`);
      stepIds.add(step.stepId);
    }
  }
  if (plan.waves.length > 0 && serverWave.size === 0) problems.push('it has no servers');
  for (const wave of plan.waves) {
    for (const dep of wave.dependsOn) {
      if (dep === wave.waveId) problems.push(`wave ${wave.waveId} depends on itself`);
      else if (!waveIds.has(dep)) problems.push(`wave ${wave.waveId} depends on unknown wave ${dep}`);
    }
  }
  // Kahn's algorithm: whatever cannot be ordered lies on a cycle.
  const remaining = new Map(plan.waves.map((w) => [w.waveId, new Set(w.dependsOn.filter((d) => waveIds.has(d) && d !== w.waveId))]));
  let ordered = true;
  while (ordered) {
    ordered = false;
    for (const [id, deps] of remaining) {
      if (deps.size === 0) {
        remaining.delete(id);
        for (const other of remaining.values()) other.delete(id);
        ordered = true;
      }
    }
  }
  if (remaining.size > 0) problems.push(`waves ${[...remaining.keys()].join(', ')} depend on each other in a cycle`);
  return problems;
}
