import type { DomainEvent } from '@lifeboat/events';
import type { ApprovalView, ExecutionServerView, ExecutionStepView, ExecutionView, ExecutionWaveView, PlanStep } from '@lifeboat/service-api';
import { isExecutionEvent } from './events.js';

function updateServer(view: ExecutionView, sourceServerId: string, change: (server: ExecutionServerView) => ExecutionServerView): ExecutionView {
  return {
    ...view,
    waves: view.waves.map((wave) =>
      wave.servers.some((s) => s.sourceServerId === sourceServerId)
        ? { ...wave, servers: wave.servers.map((s) => (s.sourceServerId === sourceServerId ? change(s) : s)) }
        : wave,
    ),
  };
}

function updateWave(view: ExecutionView, waveId: string, change: (wave: ExecutionWaveView) => ExecutionWaveView): ExecutionView {
  return { ...view, waves: view.waves.map((wave) => (wave.waveId === waveId ? change(wave) : wave)) };
}

function updateStep(view: ExecutionView, stepId: string, change: (step: ExecutionStepView) => ExecutionStepView): ExecutionView {
  const inList = (steps: ExecutionStepView[] | undefined) => steps?.map((s) => (s.stepId === stepId ? change(s) : s));
  return {
    ...view,
    waves: view.waves.map((wave) => {
      if (![...(wave.preSteps ?? []), ...(wave.postSteps ?? [])].some((s) => s.stepId === stepId)) return wave;
      const pre = inList(wave.preSteps);
      const post = inList(wave.postSteps);
      return { ...wave, ...(pre ? { preSteps: pre } : {}), ...(post ? { postSteps: post } : {}) };
    }),
  };
}

function updateApproval(view: ExecutionView, approvalId: string, change: (approval: ApprovalView) => ApprovalView): ExecutionView {
  return { ...view, approvals: (view.approvals ?? []).map((a) => (a.approvalId === approvalId ? change(a) : a)) };
}

function withdrawn(view: ExecutionView): ExecutionView {
  return view.approvals ? { ...view, approvals: view.approvals.map((a) => (a.status === 'PENDING' ? { ...a, status: 'WITHDRAWN' } : a)) } : view;
}

function stepView(step: PlanStep): ExecutionStepView {
  return { stepId: step.stepId, type: step.type, name: step.name, status: 'PENDING' };
}

/** Pending approvals first, then in the order they were asked for. */
function sortApprovals(approvals: ApprovalView[]): ApprovalView[] {
  return [...approvals.filter((a) => a.status === 'PENDING'), ...approvals.filter((a) => a.status !== 'PENDING')];
}

/**
 * Applies one stored event to the execution's read model. Pure and total: events of unknown
 * types, or that do not fit, leave the view as it is (a read model never throws).
 */
export function evolveView(view: ExecutionView | undefined, event: DomainEvent): ExecutionView | undefined {
  const version = event.metadata.streamVersion ?? (view ? view.version + 1 : 1);
  if (!isExecutionEvent(event)) return view ? { ...view, version } : view;
  if (event.type === 'ExecutionStarted') {
    if (view) return { ...view, version };
    const { plan } = event.data;
    return {
      executionId: event.data.executionId,
      planId: event.data.planId,
      planVersion: event.data.planVersion,
      planName: plan.name,
      mode: event.data.mode,
      status: 'RUNNING',
      startedAt: event.metadata.occurredAt,
      startedBy: event.metadata.actor.name ?? event.metadata.actor.id,
      version,
      waves: plan.waves.map((wave) => ({
        waveId: wave.waveId,
        name: wave.name,
        dependsOn: [...wave.dependsOn],
        launchOrder: wave.launchOrder,
        status: 'PENDING',
        servers: wave.servers.map((s) => {
          const pointInTime = event.data.options?.pointsInTime?.find((p) => p.sourceServerId === s.sourceServerId)?.pointInTime;
          return { ...s, status: 'PENDING', checks: [], ...(pointInTime ? { pointInTime } : {}) };
        }),
        ...(wave.errorPolicy ? { errorPolicy: wave.errorPolicy } : {}),
        ...(wave.preSteps && wave.preSteps.length > 0 ? { preSteps: wave.preSteps.map(stepView) } : {}),
        ...(wave.postSteps && wave.postSteps.length > 0 ? { postSteps: wave.postSteps.map(stepView) } : {}),
      })),
    };
  }
  if (!view) return view;
  const at = event.metadata.occurredAt;
  const next = { ...view, version };
  switch (event.type) {
    case 'WaveStarted':
      return updateWave(next, event.data.waveId, (w) => ({ ...w, status: 'RUNNING', startedAt: at }));
    case 'ServerLaunchRequested':
      return updateServer(next, event.data.sourceServerId, (s) => {
        // A retry starts the server afresh.
        const { jobId: _job, recoveryInstanceId: _instance, ec2InstanceId: _ec2, launchedAt: _launched, verifiedAt: _verified, ...rest } = s;
        return { ...rest, status: 'LAUNCH_REQUESTED', checks: [], attempts: (s.attempts ?? 0) + 1 };
      });
    case 'RecoveryJobStarted': {
      const ids = new Set(event.data.sourceServerIds);
      const { jobId } = event.data;
      return { ...next, waves: next.waves.map((w) => ({ ...w, servers: w.servers.map((s) => (ids.has(s.sourceServerId) ? { ...s, status: 'LAUNCHING', jobId } : s)) })) };
    }
    case 'ServerLaunched': {
      const { recoveryInstanceId, ec2InstanceId, jobId } = event.data;
      return updateServer(next, event.data.sourceServerId, (s) => ({
        ...s,
        status: 'LAUNCHED',
        jobId,
        launchedAt: at,
        ...(recoveryInstanceId ? { recoveryInstanceId } : {}),
        ...(ec2InstanceId ? { ec2InstanceId } : {}),
      }));
    }
    case 'ServerLaunchFailed':
      return updateServer(next, event.data.sourceServerId, (s) => ({ ...s, status: 'LAUNCH_FAILED', ...(event.data.jobId ? { jobId: event.data.jobId } : {}) }));
    case 'ServerVerificationRecorded': {
      const { recoveryInstanceId, ec2InstanceId, outcome, checks } = event.data;
      return updateServer(next, event.data.sourceServerId, (s) => ({
        ...s,
        status: outcome === 'VERIFIED' ? 'VERIFIED' : 'VERIFICATION_FAILED',
        checks: checks.map((c) => ({ ...c })),
        verifiedAt: at,
        ...(recoveryInstanceId ? { recoveryInstanceId } : {}),
        ...(ec2InstanceId ? { ec2InstanceId } : {}),
      }));
    }
    case 'WaveCompleted':
      return updateWave(next, event.data.waveId, (w) => ({ ...w, status: 'COMPLETED', completedAt: at }));
    case 'WaveFailed':
      return updateWave(next, event.data.waveId, (w) => ({ ...w, status: 'FAILED', completedAt: at, failureReason: event.data.reason }));
    case 'ExecutionCompleted':
      return { ...next, status: 'COMPLETED', completedAt: at };
    case 'ExecutionFailed':
      return withdrawn({ ...next, status: 'FAILED', completedAt: at, failureReason: event.data.reason });
    case 'WaveSkipped':
      // PENDING, not a SKIPPED status: the gateway's WaveStatus enum does not have it yet.
      return updateWave(next, event.data.waveId, (w) => ({ ...w, skippedAt: at, skipReason: event.data.reason }));
    case 'StepStarted':
      return updateStep(next, event.data.stepId, (s) => ({ ...s, status: event.data.step.type === 'APPROVAL' ? 'WAITING_FOR_APPROVAL' : 'RUNNING', startedAt: at }));
    case 'StepCompleted':
      return updateStep(next, event.data.stepId, (s) => ({ ...s, status: 'COMPLETED', completedAt: at, ...(event.data.output !== undefined ? { output: event.data.output } : {}) }));
    case 'StepFailed':
      return updateStep(next, event.data.stepId, (s) => ({ ...s, status: 'FAILED', completedAt: at, reason: event.data.reason, onFailure: event.data.onFailure }));
    case 'ApprovalRequested': {
      const { approvalId, kind, waveId, stepId, prompt, approverRole, permission, excludedUserIds, expiresAt } = event.data;
      const approval: ApprovalView = {
        approvalId, kind, prompt, status: 'PENDING', permission, excludedUserIds: [...excludedUserIds], requestedAt: at,
        ...(waveId ? { waveId } : {}), ...(stepId ? { stepId } : {}), ...(approverRole ? { approverRole } : {}), ...(expiresAt ? { expiresAt } : {}),
      };
      const withApproval = { ...next, approvals: sortApprovals([...(next.approvals ?? []), approval]) };
      return stepId && expiresAt ? updateStep(withApproval, stepId, (s) => ({ ...s, dueAt: expiresAt })) : withApproval;
    }
    case 'ApprovalGranted':
    case 'ApprovalRejected': {
      const { approverId, approverName, comment } = event.data;
      const decided = updateApproval(next, event.data.approvalId, (a) => ({
        ...a, status: event.type === 'ApprovalGranted' ? 'GRANTED' : 'REJECTED', decidedAt: at, decidedBy: approverName ?? approverId, ...(comment ? { comment } : {}),
      }));
      return { ...decided, approvals: sortApprovals(decided.approvals ?? []) };
    }
    case 'ApprovalTimedOut': {
      const timedOut = updateApproval(next, event.data.approvalId, (a) => ({ ...a, status: 'TIMED_OUT', decidedAt: at }));
      return { ...timedOut, approvals: sortApprovals(timedOut.approvals ?? []) };
    }
    case 'ExecutionPauseScheduled':
      return { ...next, pauseBeforeWaveIds: [...new Set([...(next.pauseBeforeWaveIds ?? []), event.data.beforeWaveId])] };
    case 'ExecutionPaused': {
      const { beforeWaveId } = event.data;
      const remaining = (next.pauseBeforeWaveIds ?? []).filter((id) => id !== beforeWaveId);
      const { pauseBeforeWaveIds: _before, ...rest } = next;
      return { ...rest, ...(remaining.length > 0 ? { pauseBeforeWaveIds: remaining } : {}), status: 'PAUSED', pausedAt: at, ...(beforeWaveId ? { pausedBeforeWaveId: beforeWaveId } : {}) };
    }
    case 'ExecutionResumed': {
      const { pausedAt: _at, pausedBeforeWaveId: _wave, ...rest } = next;
      return { ...rest, status: 'RUNNING' };
    }
    case 'CancelRequested': {
      const { pausedAt: _at, pausedBeforeWaveId: _wave, ...rest } = next;
      return withdrawn({ ...rest, status: 'CANCELLING', cancelRequestedAt: at, cancelRequestedBy: event.metadata.actor.name ?? event.metadata.actor.id, terminateInstancesOnCancel: event.data.terminateInstances });
    }
    case 'ExecutionCancelled':
      return { ...next, status: 'CANCELLED', completedAt: at };
    case 'DrillCleanupStarted':
      return {
        ...next,
        cleanup: {
          status: 'IN_PROGRESS', trigger: event.data.trigger, startedAt: at,
          recoveryInstanceIds: event.data.recoveryInstances.map((r) => r.recoveryInstanceId),
          terminatedRecoveryInstanceIds: next.cleanup?.terminatedRecoveryInstanceIds ?? [], failed: [],
        },
      };
    case 'DrillCleanupCompleted':
      return next.cleanup
        ? {
            ...next,
            cleanup: {
              ...next.cleanup, status: 'COMPLETED', completedAt: at,
              terminatedRecoveryInstanceIds: [...new Set([...next.cleanup.terminatedRecoveryInstanceIds, ...event.data.terminatedRecoveryInstanceIds])],
              failed: event.data.failed.map((f) => ({ ...f })),
            },
          }
        : next;
    case 'TimerScheduled': {
      const { stepId, purpose, fireAt } = event.data;
      return stepId && (purpose === 'WAIT_STEP' || purpose === 'STEP_TIMEOUT') ? updateStep(next, stepId, (s) => ({ ...s, dueAt: fireAt })) : next;
    }
    case 'TimerElapsed':
      return next;
    case 'ServersRetried': {
      const reopened = new Set(event.data.reopenedWaveIds);
      const unskipped = new Set(event.data.unskippedWaveIds);
      const { failureReason: _reason, completedAt: _done, ...rest } = next;
      return {
        ...rest,
        status: 'RUNNING',
        retries: event.data.attempt,
        waves: rest.waves.map((w) => {
          if (reopened.has(w.waveId)) {
            const { completedAt: _c, failureReason: _f, ...wave } = w;
            return { ...wave, status: 'RUNNING' };
          }
          if (unskipped.has(w.waveId)) {
            const { skippedAt: _s, skipReason: _r, ...wave } = w;
            return wave;
          }
          return w;
        }),
      };
    }
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

/**
 * The execution detail read model (ExecutionView of contracts.ts), rebuilt from the stream's
 * events; undefined when the events hold no ExecutionStarted. Never throws.
 */
export function projectExecution(events: readonly DomainEvent[]): ExecutionView | undefined {
  let view: ExecutionView | undefined;
  for (const event of events) view = evolveView(view, event);
  return view;
}
