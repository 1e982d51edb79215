import type { DomainEvent } from '@lifeboat/events';
import type { Criticality, ExecutionMode, PlanSnapshot, PlanStep, PointInTime, Role, StartExecutionOptions, StepFailureAction, StepType } from '@lifeboat/service-api';

/**
 * The events of the Execution aggregate. Their `data` shapes are exactly those of
 * events/schemas/<Type>.schema.json (optional properties are omitted, never `undefined`).
 */
export type ExecutionStarted = DomainEvent<'ExecutionStarted', {
  executionId: string;
  planId: string;
  planVersion: number;
  mode: ExecutionMode;
  /** The plan as it runs: only the chosen waves and servers (options say what was chosen). */
  plan: PlanSnapshot;
  options?: StartExecutionOptions;
}>;

export type WaveStarted = DomainEvent<'WaveStarted', { executionId: string; waveId: string; name: string }>;

interface ServerRef {
  executionId: string;
  waveId: string;
  sourceServerId: string;
  accountId: string;
  region: string;
}

/** The intent to launch, recorded before StartRecovery is called (batchId groups one DRS job). */
/** `batchLeader`: only on the first server of the batch, whose request starts the batch's job. */
export type ServerLaunchRequested = DomainEvent<'ServerLaunchRequested', ServerRef & { batchId: string; batchLeader?: true; pointInTime?: PointInTime }>;

export type RecoveryJobStarted = DomainEvent<'RecoveryJobStarted', {
  executionId: string;
  waveId: string;
  batchId: string;
  jobId: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  isDrill: boolean;
}>;

export type ServerLaunched = DomainEvent<'ServerLaunched', ServerRef & { jobId: string; recoveryInstanceId?: string; ec2InstanceId?: string }>;

export type ServerLaunchFailed = DomainEvent<'ServerLaunchFailed', ServerRef & { jobId?: string; reason: string }>;

export interface VerificationCheck {
  name: string;
  status: 'PASSED' | 'FAILED' | 'SKIPPED';
  durationMs: number;
  output?: string;
}

export type ServerVerificationRecorded = DomainEvent<'ServerVerificationRecorded', ServerRef & {
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
  checks: VerificationCheck[];
  outcome: 'VERIFIED' | 'FAILED';
  reason?: string;
  verificationEventId: string;
}>;

export type WaveCompleted = DomainEvent<'WaveCompleted', { executionId: string; waveId: string }>;

export type WaveFailed = DomainEvent<'WaveFailed', { executionId: string; waveId: string; reason: string; failedServerIds: string[] }>;

export type ExecutionCompleted = DomainEvent<'ExecutionCompleted', { executionId: string; planId: string; mode: ExecutionMode; durationMs: number }>;

export type ExecutionFailed = DomainEvent<'ExecutionFailed', { executionId: string; planId: string; mode: ExecutionMode; reason: string }>;

export type WaveSkipped = DomainEvent<'WaveSkipped', { executionId: string; waveId: string; reason: string; failedWaveIds: string[] }>;

export type StepPhase = 'PRE' | 'POST';
interface StepRef {
  executionId: string;
  waveId: string;
  phase: StepPhase;
  stepId: string;
}
export type StepStarted = DomainEvent<'StepStarted', StepRef & { step: PlanStep }>;
export type StepCompleted = DomainEvent<'StepCompleted', StepRef & { stepType: StepType; output?: string }>;
export type StepFailed = DomainEvent<'StepFailed', StepRef & { stepType: StepType; reason: string; onFailure: StepFailureAction }>;

export type ApprovalKind = 'SECOND_APPROVER' | 'STEP';
export type ApprovalPermission = 'drill:approve' | 'recovery:approve';
interface ApprovalRef {
  executionId: string;
  approvalId: string;
  kind: ApprovalKind;
  /** STEP approvals. */
  waveId?: string;
  stepId?: string;
}
export type ApprovalRequested = DomainEvent<'ApprovalRequested', ApprovalRef & {
  prompt: string;
  approverRole?: Role;
  permission: ApprovalPermission;
  excludedUserIds: string[];
  expiresAt?: string;
}>;
export type ApprovalGranted = DomainEvent<'ApprovalGranted', ApprovalRef & { approverId: string; approverName?: string; comment?: string }>;
export type ApprovalRejected = DomainEvent<'ApprovalRejected', ApprovalRef & { approverId: string; approverName?: string; comment?: string }>;
export type ApprovalTimedOut = DomainEvent<'ApprovalTimedOut', ApprovalRef & { onTimeout: StepFailureAction }>;

export type ExecutionPauseScheduled = DomainEvent<'ExecutionPauseScheduled', { executionId: string; beforeWaveId: string }>;
export type ExecutionPaused = DomainEvent<'ExecutionPaused', { executionId: string; beforeWaveId?: string }>;
export type ExecutionResumed = DomainEvent<'ExecutionResumed', { executionId: string; pausedMs: number }>;
export type CancelRequested = DomainEvent<'CancelRequested', { executionId: string; terminateInstances: boolean; reason?: string }>;
export type ExecutionCancelled = DomainEvent<'ExecutionCancelled', { executionId: string; planId: string; mode: ExecutionMode; durationMs: number }>;

export type CleanupTrigger = 'ON_DEMAND' | 'TTL' | 'CANCEL';
export interface RecoveryInstanceRef {
  sourceServerId: string;
  accountId: string;
  region: string;
  recoveryInstanceId: string;
}
export type DrillCleanupStarted = DomainEvent<'DrillCleanupStarted', { executionId: string; trigger: CleanupTrigger; recoveryInstances: RecoveryInstanceRef[]; jobIds: string[] }>;
export type DrillCleanupCompleted = DomainEvent<'DrillCleanupCompleted', {
  executionId: string;
  terminatedRecoveryInstanceIds: string[];
  failed: { recoveryInstanceId: string; reason: string }[];
}>;

export type TimerPurpose = 'WAIT_STEP' | 'STEP_TIMEOUT' | 'APPROVAL_TIMEOUT' | 'LAUNCH_DELAY' | 'DRILL_TTL';
export type TimerScheduled = DomainEvent<'TimerScheduled', {
  executionId: string;
  timerId: string;
  purpose: TimerPurpose;
  fireAt: string;
  delaySeconds: number;
  waveId?: string;
  stepId?: string;
  sourceServerId?: string;
}>;
export type TimerElapsed = DomainEvent<'TimerElapsed', { executionId: string; timerId: string; purpose: TimerPurpose }>;

export type ServersRetried = DomainEvent<'ServersRetried', {
  executionId: string;
  attempt: number;
  sourceServerIds: string[];
  reopenedWaveIds: string[];
  unskippedWaveIds: string[];
}>;

export type ExecutionEvent =
  | ExecutionStarted
  | WaveStarted
  | ServerLaunchRequested
  | RecoveryJobStarted
  | ServerLaunched
  | ServerLaunchFailed
  | ServerVerificationRecorded
  | WaveCompleted
  | WaveFailed
  | ExecutionCompleted
  | ExecutionFailed
  | WaveSkipped
  | StepStarted
  | StepCompleted
  | StepFailed
  | ApprovalRequested
  | ApprovalGranted
  | ApprovalRejected
  | ApprovalTimedOut
  | ExecutionPauseScheduled
  | ExecutionPaused
  | ExecutionResumed
  | CancelRequested
  | ExecutionCancelled
  | DrillCleanupStarted
  | DrillCleanupCompleted
  | TimerScheduled
  | TimerElapsed
  | ServersRetried;

export type ExecutionEventType = ExecutionEvent['type'];

/** The data of each event type, by type. */
export type ExecutionEventData = { [E in ExecutionEvent as E['type']]: E['data'] };

const EXECUTION_EVENT_TYPES: ReadonlySet<string> = new Set<ExecutionEventType>([
  'ExecutionStarted', 'WaveStarted', 'ServerLaunchRequested', 'RecoveryJobStarted', 'ServerLaunched', 'ServerLaunchFailed',
  'ServerVerificationRecorded', 'WaveCompleted', 'WaveFailed', 'ExecutionCompleted', 'ExecutionFailed',
  'WaveSkipped', 'StepStarted', 'StepCompleted', 'StepFailed', 'ApprovalRequested', 'ApprovalGranted', 'ApprovalRejected', 'ApprovalTimedOut',
  'ExecutionPauseScheduled', 'ExecutionPaused', 'ExecutionResumed', 'CancelRequested', 'ExecutionCancelled',
  'DrillCleanupStarted', 'DrillCleanupCompleted', 'TimerScheduled', 'TimerElapsed', 'ServersRetried',
]);

/** True when a stored event is one of the aggregate's own event types. */
export function isExecutionEvent(event: DomainEvent): event is ExecutionEvent {
  return EXECUTION_EVENT_TYPES.has(event.type);
}

export type { Criticality };
