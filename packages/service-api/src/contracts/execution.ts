import type { Criticality, ExecutionMode, LaunchOrder } from './common.js';
import type { Role } from '../roles.js';
import type { StepFailureAction, StepType } from './planning.js';

/** The execution service's API contract. */
// ---- execution (function lifeboat-execution-<stage>-api)
/**
 * PAUSED, CANCELLING and CANCELLED only follow pauseExecution / cancelExecution (or a drill's TTL
 * elapsing while it still runs); an execution waiting for an approval stays RUNNING (see approvals).
 */
export type ExecutionStatus = 'RUNNING' | 'PAUSED' | 'CANCELLING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
/** A wave skipped by error policy CONTINUE keeps PENDING and carries `skippedAt` (the GraphQL enum has no SKIPPED yet). */
export type WaveStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED';
export type ServerStatus = 'PENDING' | 'LAUNCH_REQUESTED' | 'LAUNCHING' | 'LAUNCHED' | 'LAUNCH_FAILED' | 'VERIFIED' | 'VERIFICATION_FAILED';
export interface CheckView {
  name: string;
  status: 'PASSED' | 'FAILED' | 'SKIPPED';
  durationMs: number;
  output?: string;
}
export interface ExecutionServerView {
  sourceServerId: string;
  hostname: string;
  accountId: string;
  region: string;
  criticality: Criticality;
  status: ServerStatus;
  jobId?: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
  checks: CheckView[];
  launchedAt?: string;
  verifiedAt?: string;
  /** Absent: the latest snapshot. */
  pointInTime?: PointInTime;
  /** Launch requests of this server (more than 1 after retryFailedServers). */
  attempts?: number;
}
export interface ExecutionWaveView {
  waveId: string;
  name: string;
  dependsOn: string[];
  launchOrder: LaunchOrder;
  status: WaveStatus;
  startedAt?: string;
  completedAt?: string;
  servers: ExecutionServerView[];
  errorPolicy?: 'STOP' | 'CONTINUE';
  preSteps?: ExecutionStepView[];
  postSteps?: ExecutionStepView[];
  /** Skipped because a wave it depends on failed (error policy CONTINUE); status stays PENDING. */
  skippedAt?: string;
  skipReason?: string;
  /** Why it failed. */
  failureReason?: string;
}
export interface ExecutionView {
  executionId: string;
  planId: string;
  planVersion: number;
  planName: string;
  mode: ExecutionMode;
  status: ExecutionStatus;
  startedAt: string;
  completedAt?: string;
  startedBy: string;
  /** Events in the stream. */
  version: number;
  waves: ExecutionWaveView[];
  /** Why it failed. */
  failureReason?: string;
  /** When it paused (PAUSED), and the wave it paused before. */
  pausedAt?: string;
  pausedBeforeWaveId?: string;
  /** Waves it will pause before when they are about to start. */
  pauseBeforeWaveIds?: string[];
  /** CANCELLING / CANCELLED. */
  cancelRequestedAt?: string;
  cancelRequestedBy?: string;
  terminateInstancesOnCancel?: boolean;
  /** Every approval asked for: pending ones first say who may decide. */
  approvals?: ApprovalView[];
  cleanup?: DrillCleanupView;
  /** Times retryFailedServers relaunched servers. */
  retries?: number;
}

/** Which recovery snapshot a server launches from. */
export type PointInTime = { type: 'LATEST' } | { type: 'SNAPSHOT'; snapshotId: string } | { type: 'LATEST_BEFORE'; before: string };

export type StepStatus = 'PENDING' | 'RUNNING' | 'WAITING_FOR_APPROVAL' | 'COMPLETED' | 'FAILED';
export interface ExecutionStepView {
  stepId: string;
  type: StepType;
  name: string;
  status: StepStatus;
  startedAt?: string;
  completedAt?: string;
  output?: string;
  reason?: string;
  /** FAILED: whether the wave went on (CONTINUE) or failed (FAIL). */
  onFailure?: StepFailureAction;
  /** WAIT: when it ends; APPROVAL, SSM_DOCUMENT, LAMBDA: when it times out. */
  dueAt?: string;
}

export type ApprovalStatus = 'PENDING' | 'GRANTED' | 'REJECTED' | 'TIMED_OUT' | 'WITHDRAWN';
export interface ApprovalView {
  approvalId: string;
  /** SECOND_APPROVER: a RECOVERY waits for a second person before any launch; STEP: an APPROVAL step. */
  kind: 'SECOND_APPROVER' | 'STEP';
  waveId?: string;
  stepId?: string;
  prompt: string;
  status: ApprovalStatus;
  /** Who may decide: this permission, this role when set, and none of excludedUserIds. */
  permission: 'drill:approve' | 'recovery:approve';
  approverRole?: Role;
  excludedUserIds: string[];
  requestedAt: string;
  expiresAt?: string;
  decidedAt?: string;
  decidedBy?: string;
  comment?: string;
}

export interface DrillCleanupView {
  status: 'IN_PROGRESS' | 'COMPLETED';
  trigger: 'ON_DEMAND' | 'TTL' | 'CANCEL';
  startedAt: string;
  completedAt?: string;
  /** Recovery instances it is to terminate. */
  recoveryInstanceIds: string[];
  terminatedRecoveryInstanceIds: string[];
  failed: { recoveryInstanceId: string; reason: string }[];
}

/** Options of startExecution: a subset of waves or servers, and a point in time per server. */
export interface StartExecutionOptions {
  waveIds?: string[];
  sourceServerIds?: string[];
  pointsInTime?: { sourceServerId: string; pointInTime: PointInTime }[];
}
export interface PauseExecutionInput {
  executionId: string;
  /** Pause when this wave is about to start instead of now. */
  beforeWaveId?: string;
}
export interface CancelExecutionInput {
  executionId: string;
  /** Drills: terminate the launched recovery instances once nothing is in flight. */
  terminateInstances?: boolean;
  /** Why it is cancelled (recorded on CancelRequested). */
  reason?: string;
}
export interface DecideApprovalInput {
  executionId: string;
  approvalId: string;
  comment?: string;
}
export interface RetryFailedServersInput {
  executionId: string;
  /** Default: every failed server. */
  sourceServerIds?: string[];
}
export interface StoredEventView {
  streamVersion: number;
  eventId: string;
  type: string;
  occurredAt: string;
  /** Actor id (user sub or system id). */
  actor: string;
  data: unknown;
  previousHash: string | null;
  hash: string;
}
/** Filters of listExecutions; all given ones must match. */
export interface ExecutionFilter {
  planId?: string;
  mode?: ExecutionMode;
  statuses?: ExecutionStatus[];
  /** ISO-8601: started at or after. */
  startedAfter?: string;
  /** ISO-8601: started before. */
  startedBefore?: string;
}
export interface ListExecutionsInput {
  /** 1..100, default 20. */
  limit?: number;
  /** The nextToken of the previous page, with the same filter. */
  nextToken?: string;
  filter?: ExecutionFilter;
}
/** The most events one backward read (`last`) answers. */
export const MAX_TAIL_EVENTS = 1000;
export interface GetExecutionEventsInput {
  executionId: string;
  /** Forward: only the events after this version (0 or more). */
  afterVersion?: number;
  /** Forward: at most this many (1 or more). */
  limit?: number;
  /** Backward: at most this many, the latest ones (1 to MAX_TAIL_EVENTS), answered in stream order. */
  last?: number;
  /** Backward: only the events whose version is below this one (1 or more), to page back. */
  beforeVersion?: number;
}
export interface ExecutionOperations {
  /** DRILL needs drill:run, RECOVERY needs recovery:run and confirmation === plan name. */
  startExecution: { input: { planId: string; planVersion?: number; mode: ExecutionMode; confirmation?: string } & StartExecutionOptions; result: ExecutionView };
  /** NotFoundError when unknown. */
  getExecution: { input: { executionId: string }; result: ExecutionView };
  /** Newest first; `read`. BAD_USER_INPUT for a limit out of 1..100 or a token not of this filter. */
  listExecutions: { input: ListExecutionsInput; result: { items: ExecutionView[]; nextToken: string | null } };
  /**
   * Events of the stream in stream order; `read`. Forward: after `afterVersion`, at most `limit`
   * (1 or more; all when omitted). Backward: the `last` ones (1 to 1000), below `beforeVersion`
   * (1 or more) when given. The two ways do not mix (BAD_USER_INPUT). NotFoundError when unknown.
   */
  getExecutionEvents: { input: GetExecutionEventsInput; result: StoredEventView[] };
  /** drill:run for a DRILL, recovery:run for a RECOVERY. CONFLICT when already paused, cancelling or finished, or the wave has started. */
  pauseExecution: { input: PauseExecutionInput; result: ExecutionView };
  /** drill:run / recovery:run per mode. CONFLICT when not paused. */
  resumeExecution: { input: { executionId: string }; result: ExecutionView };
  /** drill:run / recovery:run per mode; terminateInstances only for a DRILL (BAD_USER_INPUT otherwise). */
  cancelExecution: { input: CancelExecutionInput; result: ExecutionView };
  /** drill:approve for a DRILL, recovery:approve for a RECOVERY, and whatever the approval itself asks (role, not the starter). */
  approveStep: { input: DecideApprovalInput; result: ExecutionView };
  /** As approveStep. */
  rejectStep: { input: DecideApprovalInput; result: ExecutionView };
  /** drill:run / recovery:run per mode. CONFLICT when nothing can be retried. */
  retryFailedServers: { input: RetryFailedServersInput; result: ExecutionView };
  /** drill:run; a finished DRILL only. */
  cleanupDrill: { input: { executionId: string }; result: ExecutionView };
}
