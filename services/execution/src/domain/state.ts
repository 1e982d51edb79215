import type { Criticality, ExecutionMode, LaunchOrder, PlanSnapshot, PlanStep, PointInTime, Role, ServerStatus, StepFailureAction, StepStatus, WaveStatus } from '@lifeboat/service-api';
import type { ApprovalKind, ApprovalPermission, StepPhase, TimerPurpose } from './events.js';

export interface ServerState {
  sourceServerId: string;
  waveId: string;
  accountId: string;
  region: string;
  hostname: string;
  criticality: Criticality;
  status: ServerStatus;
  batchId?: string;
  jobId?: string;
  recoveryInstanceId?: string;
  bootOrder?: number;
  delaySeconds?: number;
  /** Absent: the latest snapshot. */
  pointInTime?: PointInTime;
  /** SEQUENTIAL waves: the wait before its launch (delaySeconds) was scheduled / elapsed. */
  delay?: 'WAITING' | 'ELAPSED';
}

/** SKIPPED: a wave it depends on failed (error policy CONTINUE). */
export type WaveRunStatus = WaveStatus | 'SKIPPED';

export interface WaveState {
  waveId: string;
  name: string;
  dependsOn: string[];
  launchOrder: LaunchOrder;
  errorPolicy: 'STOP' | 'CONTINUE';
  status: WaveRunStatus;
  /** In launch order: boot order (then plan order) for SEQUENTIAL waves. */
  serverIds: string[];
  /** In the order they were requested. */
  batchIds: string[];
  preStepIds: string[];
  postStepIds: string[];
  /** SKIPPED: the failed waves that caused it. */
  skippedBecause?: string[];
}

export interface StepState {
  stepId: string;
  waveId: string;
  phase: StepPhase;
  step: PlanStep;
  status: StepStatus;
  /** FAILED: what the failure did. */
  onFailure?: StepFailureAction;
}

export interface ApprovalState {
  approvalId: string;
  kind: ApprovalKind;
  waveId?: string;
  stepId?: string;
  status: 'PENDING' | 'GRANTED' | 'REJECTED' | 'TIMED_OUT' | 'WITHDRAWN';
  permission: ApprovalPermission;
  approverRole?: Role;
  excludedUserIds: string[];
}

export interface TimerState {
  timerId: string;
  purpose: TimerPurpose;
  status: 'SCHEDULED' | 'ELAPSED';
  waveId?: string;
  stepId?: string;
  sourceServerId?: string;
}

/** The servers requested together: one DRS job (its first server is the batch's leader). */
export interface BatchState {
  batchId: string;
  waveId: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  jobId?: string;
}

export interface CleanupState {
  status: 'IN_PROGRESS' | 'COMPLETED';
  recoveryInstanceIds: string[];
}

/** The approval a RECOVERY of a plan with requireSecondApprover waits for before any launch. */
export const SECOND_APPROVAL_ID = 'second-approver';

/** What the aggregate knows once it started. */
export interface ExecutionFacts {
  executionId: string;
  mode: ExecutionMode;
  plan: PlanSnapshot;
  startedAt: string;
  startedBy: string;
  /** In the plan's order. */
  waveIds: string[];
  waves: ReadonlyMap<string, WaveState>;
  servers: ReadonlyMap<string, ServerState>;
  batches: ReadonlyMap<string, BatchState>;
  /** jobId -> batchId. */
  jobs: ReadonlyMap<string, string>;
  verificationEventIds: ReadonlySet<string>;
  steps: ReadonlyMap<string, StepState>;
  approvals: ReadonlyMap<string, ApprovalState>;
  timers: ReadonlyMap<string, TimerState>;
  /** Waves to pause before. */
  pauseBeforeWaveIds: ReadonlySet<string>;
  /** Set by CancelRequested. */
  cancel?: { terminateInstances: boolean };
  cleanup?: CleanupState;
  terminatedRecoveryInstanceIds: ReadonlySet<string>;
  /** RetryFailedServers applied so far. */
  retries: number;
}

export type ExecutionState =
  | { status: 'NOT_STARTED' }
  | ({ status: 'RUNNING' } & ExecutionFacts)
  | ({ status: 'PAUSED'; pausedAt: string } & ExecutionFacts)
  | ({ status: 'CANCELLING' } & ExecutionFacts)
  | ({ status: 'COMPLETED'; completedAt: string } & ExecutionFacts)
  | ({ status: 'FAILED'; failedAt: string; reason: string } & ExecutionFacts)
  | ({ status: 'CANCELLED'; cancelledAt: string } & ExecutionFacts);

export type RunningState = Extract<ExecutionState, { status: 'RUNNING' }>;
/** Not finished: launch, step and verification results are recorded. */
export type LiveState = Extract<ExecutionState, { status: 'RUNNING' | 'PAUSED' | 'CANCELLING' }>;
export type FinishedState = Extract<ExecutionState, { status: 'COMPLETED' | 'FAILED' | 'CANCELLED' }>;
export type StartedState = Exclude<ExecutionState, { status: 'NOT_STARTED' }>;

/** RUNNING, PAUSED or CANCELLING: in-flight work is still recorded (and requested batches still launch). */
export function isLive(state: ExecutionState): state is LiveState {
  return state.status === 'RUNNING' || state.status === 'PAUSED' || state.status === 'CANCELLING';
}

/** A server is done when it needs nothing more for its wave to complete. */
export function isServerDone(server: ServerState): boolean {
  switch (server.status) {
    case 'VERIFIED':
      return true;
    case 'LAUNCH_FAILED':
    case 'VERIFICATION_FAILED':
      return server.criticality === 'OPTIONAL';
    case 'PENDING':
    case 'LAUNCH_REQUESTED':
    case 'LAUNCHING':
    case 'LAUNCHED':
      return false;
  }
}

/** Requested and not yet launched-and-verified (or failed). */
export function isServerInFlight(server: ServerState): boolean {
  return server.status === 'LAUNCH_REQUESTED' || server.status === 'LAUNCHING' || server.status === 'LAUNCHED';
}

/** Requested and without a launch result yet: a DRS job may be launching it. */
export function hasActiveLaunch(server: ServerState): boolean {
  return server.status === 'LAUNCH_REQUESTED' || server.status === 'LAUNCHING';
}

export function hasLaunchResult(server: ServerState): boolean {
  return server.status === 'LAUNCHED' || server.status === 'LAUNCH_FAILED' || server.status === 'VERIFIED' || server.status === 'VERIFICATION_FAILED';
}

export function hasVerificationResult(server: ServerState): boolean {
  return server.status === 'VERIFIED' || server.status === 'VERIFICATION_FAILED';
}

export function hasFailed(server: ServerState): boolean {
  return server.status === 'LAUNCH_FAILED' || server.status === 'VERIFICATION_FAILED';
}

/** A step is done when its wave may go on: completed, or failed with onFailure CONTINUE. */
export function isStepDone(step: StepState): boolean {
  return step.status === 'COMPLETED' || (step.status === 'FAILED' && step.onFailure === 'CONTINUE');
}
