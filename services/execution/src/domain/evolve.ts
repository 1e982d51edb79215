import type { ExecutionEvent } from './events.js';
import type { ApprovalState, BatchState, ExecutionFacts, ExecutionState, ServerState, StartedState, StepState, WaveState } from './state.js';

export const initialState: ExecutionState = { status: 'NOT_STARTED' };

/**
 * Maps made while evolveAll applies a run of events: only its intermediate states see them, so it
 * changes them in place instead of copying a 1,000-server map for every event (a fold stays linear).
 */
let owned: WeakSet<object> | undefined;

function own<K, V>(map: ReadonlyMap<K, V>): Map<K, V> {
  if (owned?.has(map)) return map as Map<K, V>;
  const copy = new Map(map);
  owned?.add(copy);
  return copy;
}

function withServer(state: StartedState, sourceServerId: string, change: (server: ServerState) => ServerState): StartedState {
  const server = state.servers.get(sourceServerId);
  if (!server) return state;
  return { ...state, servers: own(state.servers).set(sourceServerId, change(server)) };
}

function withWave(state: StartedState, waveId: string, change: (wave: WaveState) => WaveState): StartedState {
  const wave = state.waves.get(waveId);
  if (!wave) return state;
  return { ...state, waves: own(state.waves).set(waveId, change(wave)) };
}

function withStep(state: StartedState, stepId: string, change: (step: StepState) => StepState): StartedState {
  const step = state.steps.get(stepId);
  if (!step) return state;
  return { ...state, steps: own(state.steps).set(stepId, change(step)) };
}

function withApproval(state: StartedState, approvalId: string, change: (approval: ApprovalState) => ApprovalState): StartedState {
  const approval = state.approvals.get(approvalId);
  if (!approval) return state;
  return { ...state, approvals: own(state.approvals).set(approvalId, change(approval)) };
}

/** Pending approvals no longer wait for anyone once the execution stops. */
function withdrawApprovals<T extends ExecutionFacts>(state: T): T {
  const approvals = new Map(state.approvals);
  for (const [id, a] of approvals) if (a.status === 'PENDING') approvals.set(id, { ...a, status: 'WITHDRAWN' });
  return { ...state, approvals };
}

/** The facts of a state, without its status and the fields that go with it. */
function factsOf(state: StartedState): ExecutionFacts {
  const { status: _status, ...rest } = state;
  const facts: ExecutionFacts & Partial<Record<'pausedAt' | 'completedAt' | 'failedAt' | 'reason' | 'cancelledAt', string>> = { ...rest };
  delete facts.pausedAt;
  delete facts.completedAt;
  delete facts.failedAt;
  delete facts.reason;
  delete facts.cancelledAt;
  return facts;
}

/** SEQUENTIAL waves launch by boot order (servers without one last), then in the plan's order. */
function launchOrderOf(servers: readonly { sourceServerId: string; bootOrder?: number }[], sequential: boolean): string[] {
  const indexed = servers.map((s, i) => ({ id: s.sourceServerId, boot: s.bootOrder ?? Number.POSITIVE_INFINITY, i }));
  if (sequential) indexed.sort((a, b) => (a.boot === b.boot ? a.i - b.i : a.boot - b.boot));
  return indexed.map((s) => s.id);
}

/**
 * Applies one event to the state. Total: an event that does not fit the state (which the
 * decider never produces) leaves the state as it is.
 */
export function evolve(state: ExecutionState, event: ExecutionEvent): ExecutionState {
  if (event.type === 'ExecutionStarted') {
    if (state.status !== 'NOT_STARTED') return state;
    const { plan, options } = event.data;
    const pointsInTime = new Map((options?.pointsInTime ?? []).map((p) => [p.sourceServerId, p.pointInTime]));
    const waves = new Map<string, WaveState>();
    const servers = new Map<string, ServerState>();
    const steps = new Map<string, StepState>();
    for (const wave of plan.waves) {
      waves.set(wave.waveId, {
        waveId: wave.waveId,
        name: wave.name,
        dependsOn: [...wave.dependsOn],
        launchOrder: wave.launchOrder,
        errorPolicy: wave.errorPolicy ?? 'STOP',
        status: 'PENDING',
        serverIds: launchOrderOf(wave.servers, wave.launchOrder === 'SEQUENTIAL'),
        batchIds: [],
        preStepIds: (wave.preSteps ?? []).map((s) => s.stepId),
        postStepIds: (wave.postSteps ?? []).map((s) => s.stepId),
      });
      for (const s of wave.servers) {
        const pointInTime = pointsInTime.get(s.sourceServerId);
        servers.set(s.sourceServerId, { ...s, waveId: wave.waveId, status: 'PENDING', ...(pointInTime && pointInTime.type !== 'LATEST' ? { pointInTime } : {}) });
      }
      for (const step of wave.preSteps ?? []) steps.set(step.stepId, { stepId: step.stepId, waveId: wave.waveId, phase: 'PRE', step, status: 'PENDING' });
      for (const step of wave.postSteps ?? []) steps.set(step.stepId, { stepId: step.stepId, waveId: wave.waveId, phase: 'POST', step, status: 'PENDING' });
    }
    return {
      status: 'RUNNING',
      executionId: event.data.executionId,
      mode: event.data.mode,
      plan,
      startedAt: event.metadata.occurredAt,
      startedBy: event.metadata.actor.id,
      waveIds: plan.waves.map((w) => w.waveId),
      waves,
      servers,
      batches: new Map(),
      jobs: new Map(),
      verificationEventIds: new Set(),
      steps,
      approvals: new Map(),
      timers: new Map(),
      pauseBeforeWaveIds: new Set(),
      terminatedRecoveryInstanceIds: new Set(),
      retries: 0,
    };
  }
  if (state.status === 'NOT_STARTED') return state;
  const at = event.metadata.occurredAt;

  switch (event.type) {
    case 'WaveStarted':
      return withWave(state, event.data.waveId, (w) => ({ ...w, status: 'RUNNING' }));
    case 'ServerLaunchRequested': {
      const { batchId, waveId, sourceServerId, accountId, region } = event.data;
      const existing = state.batches.get(batchId);
      const batch: BatchState = existing
        ? { ...existing, sourceServerIds: [...existing.sourceServerIds, sourceServerId] }
        : { batchId, waveId, accountId, region, sourceServerIds: [sourceServerId] };
      const next = withWave(state, waveId, (w) => (existing ? w : { ...w, batchIds: [...w.batchIds, batchId] }));
      return withServer({ ...next, batches: own(next.batches).set(batchId, batch) }, sourceServerId, (s) => {
        const { jobId: _job, recoveryInstanceId: _instance, ...rest } = s;
        return { ...rest, status: 'LAUNCH_REQUESTED', batchId };
      });
    }
    case 'RecoveryJobStarted': {
      const { batchId, jobId, sourceServerIds } = event.data;
      const batch = state.batches.get(batchId);
      if (!batch) return state;
      let next: StartedState = {
        ...state,
        batches: own(state.batches).set(batchId, { ...batch, jobId }),
        jobs: own(state.jobs).set(jobId, batchId),
      };
      for (const id of sourceServerIds) next = withServer(next, id, (s) => ({ ...s, status: 'LAUNCHING', jobId }));
      return next;
    }
    case 'ServerLaunched': {
      const { recoveryInstanceId } = event.data;
      return withServer(state, event.data.sourceServerId, (s) => ({ ...s, status: 'LAUNCHED', ...(recoveryInstanceId ? { recoveryInstanceId } : {}) }));
    }
    case 'ServerLaunchFailed':
      return withServer(state, event.data.sourceServerId, (s) => ({ ...s, status: 'LAUNCH_FAILED' }));
    case 'ServerVerificationRecorded': {
      const next = withServer(state, event.data.sourceServerId, (s) => ({ ...s, status: event.data.outcome === 'VERIFIED' ? 'VERIFIED' : 'VERIFICATION_FAILED' }));
      return { ...next, verificationEventIds: new Set(next.verificationEventIds).add(event.data.verificationEventId) };
    }
    case 'WaveCompleted':
      return withWave(state, event.data.waveId, (w) => ({ ...w, status: 'COMPLETED' }));
    case 'WaveFailed':
      return withWave(state, event.data.waveId, (w) => ({ ...w, status: 'FAILED' }));
    case 'WaveSkipped':
      return withWave(state, event.data.waveId, (w) => ({ ...w, status: 'SKIPPED', skippedBecause: [...event.data.failedWaveIds] }));
    case 'ExecutionCompleted':
      return { ...factsOf(state), status: 'COMPLETED', completedAt: at };
    case 'ExecutionFailed':
      return { ...withdrawApprovals(factsOf(state)), status: 'FAILED', failedAt: at, reason: event.data.reason };
    case 'StepStarted':
      return withStep(state, event.data.stepId, (s) => ({ ...s, status: s.step.type === 'APPROVAL' ? 'WAITING_FOR_APPROVAL' : 'RUNNING' }));
    case 'StepCompleted':
      return withStep(state, event.data.stepId, (s) => ({ ...s, status: 'COMPLETED' }));
    case 'StepFailed':
      return withStep(state, event.data.stepId, (s) => ({ ...s, status: 'FAILED', onFailure: event.data.onFailure }));
    case 'ApprovalRequested': {
      const { approvalId, kind, waveId, stepId, approverRole, permission, excludedUserIds } = event.data;
      const approval: ApprovalState = {
        approvalId, kind, status: 'PENDING', permission, excludedUserIds: [...excludedUserIds],
        ...(waveId ? { waveId } : {}), ...(stepId ? { stepId } : {}), ...(approverRole ? { approverRole } : {}),
      };
      return { ...state, approvals: own(state.approvals).set(approvalId, approval) };
    }
    case 'ApprovalGranted':
      return withApproval(state, event.data.approvalId, (a) => ({ ...a, status: 'GRANTED' }));
    case 'ApprovalRejected':
      return withApproval(state, event.data.approvalId, (a) => ({ ...a, status: 'REJECTED' }));
    case 'ApprovalTimedOut':
      return withApproval(state, event.data.approvalId, (a) => ({ ...a, status: 'TIMED_OUT' }));
    case 'ExecutionPauseScheduled':
      return { ...state, pauseBeforeWaveIds: new Set(state.pauseBeforeWaveIds).add(event.data.beforeWaveId) };
    case 'ExecutionPaused': {
      // The breakpoint is used up: on resume the wave starts.
      const pauseBeforeWaveIds = new Set(state.pauseBeforeWaveIds);
      if (event.data.beforeWaveId) pauseBeforeWaveIds.delete(event.data.beforeWaveId);
      return { ...factsOf(state), pauseBeforeWaveIds, status: 'PAUSED', pausedAt: at };
    }
    case 'ExecutionResumed':
      return { ...factsOf(state), status: 'RUNNING' };
    case 'CancelRequested':
      return { ...withdrawApprovals(factsOf(state)), cancel: { terminateInstances: event.data.terminateInstances }, status: 'CANCELLING' };
    case 'ExecutionCancelled':
      return { ...factsOf(state), status: 'CANCELLED', cancelledAt: at };
    case 'DrillCleanupStarted':
      return { ...state, cleanup: { status: 'IN_PROGRESS', recoveryInstanceIds: event.data.recoveryInstances.map((r) => r.recoveryInstanceId) } };
    case 'DrillCleanupCompleted': {
      const terminated = new Set(state.terminatedRecoveryInstanceIds);
      for (const id of event.data.terminatedRecoveryInstanceIds) terminated.add(id);
      return { ...state, cleanup: { status: 'COMPLETED', recoveryInstanceIds: state.cleanup?.recoveryInstanceIds ?? [] }, terminatedRecoveryInstanceIds: terminated };
    }
    case 'TimerScheduled': {
      const { timerId, purpose, waveId, stepId, sourceServerId } = event.data;
      const next: StartedState = {
        ...state,
        timers: own(state.timers).set(timerId, { timerId, purpose, status: 'SCHEDULED', ...(waveId ? { waveId } : {}), ...(stepId ? { stepId } : {}), ...(sourceServerId ? { sourceServerId } : {}) }),
      };
      return purpose === 'LAUNCH_DELAY' && sourceServerId ? withServer(next, sourceServerId, (s) => ({ ...s, delay: 'WAITING' })) : next;
    }
    case 'TimerElapsed': {
      const timer = state.timers.get(event.data.timerId);
      if (!timer) return state;
      const next: StartedState = { ...state, timers: own(state.timers).set(timer.timerId, { ...timer, status: 'ELAPSED' }) };
      return timer.purpose === 'LAUNCH_DELAY' && timer.sourceServerId ? withServer(next, timer.sourceServerId, (s) => ({ ...s, delay: 'ELAPSED' })) : next;
    }
    case 'ServersRetried': {
      let next: StartedState = { ...factsOf(state), status: 'RUNNING', retries: event.data.attempt };
      for (const id of event.data.sourceServerIds) next = withServer(next, id, (s) => ({ ...s, status: 'PENDING' }));
      for (const id of event.data.reopenedWaveIds) next = withWave(next, id, (w) => ({ ...w, status: 'RUNNING' }));
      for (const id of event.data.unskippedWaveIds) {
        next = withWave(next, id, (w) => {
          const { skippedBecause: _because, ...rest } = w;
          return { ...rest, status: 'PENDING' };
        });
      }
      return next;
    }
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

/** Folds a stream's events into the state. */
/** The state after `events`, from `state` (left unchanged). */
export function evolveAll(state: ExecutionState, events: readonly ExecutionEvent[]): ExecutionState {
  if (owned) return events.reduce(evolve, state);
  owned = new WeakSet();
  try {
    return events.reduce(evolve, state);
  } finally {
    owned = undefined;
  }
}

export function foldExecution(events: readonly ExecutionEvent[]): ExecutionState {
  return evolveAll(initialState, events);
}
