import type { Actor } from '@lifeboat/events';
import type { ExecutionMode, PlanSnapshot, StartExecutionOptions } from '@lifeboat/service-api';
import type { VerificationCheck } from './events.js';

/**
 * What the shell knows and the pure core must not make up: the time, the ids and who acts.
 * The events a command causes get ids derived from `commandId` (a ULID, see eventIdOf), so deciding the
 * same command on the same state always yields the same events.
 */
export interface CommandMetadata {
  /** ULID; the first event caused gets this id, the next ones ids derived from it (eventIdOf). */
  commandId: string;
  /** When the command is decided: ISO-8601 UTC. */
  now: string;
  actor: Actor;
  /** The actor's roles (cognito:groups), for the rules that depend on them (approvals). */
  roles?: readonly string[];
  /** The event that caused this command (null for a user's request). */
  causationId: string | null;
}

interface Command<TType extends string, TData> {
  type: TType;
  data: TData;
  metadata: CommandMetadata;
}

export type StartExecution = Command<'StartExecution', { executionId: string; mode: ExecutionMode; plan: PlanSnapshot; options?: StartExecutionOptions }>;

export type RecordRecoveryJobStarted = Command<'RecordRecoveryJobStarted', {
  batchId: string;
  jobId: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  isDrill: boolean;
}>;

export type RecordServerLaunchResult = Command<'RecordServerLaunchResult', {
  jobId: string;
  sourceServerId: string;
  outcome: 'LAUNCHED' | 'FAILED';
  recoveryInstanceId?: string;
  /** The EC2 instance behind the recovery instance (LAUNCHED only), when DRS reported it. */
  ec2InstanceId?: string;
  reason?: string;
}>;

/**
 * Servers of a batch that could not be put in any DRS job (no recovery snapshot at their point
 * in time, or DRS refused them with a non-retryable error): they failed to launch, without a job.
 */
export type RecordServerLaunchRefused = Command<'RecordServerLaunchRefused', {
  batchId: string;
  sourceServerIds: string[];
  reason: string;
}>;

export type RecordVerification = Command<'RecordVerification', {
  /** eventId of the ServerVerified / ServerVerificationFailed event. */
  verificationEventId: string;
  sourceServerId: string;
  outcome: 'VERIFIED' | 'FAILED';
  checks: VerificationCheck[];
  reason?: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
}>;

/** Pause now, or (beforeWaveId) when that wave is about to start. */
export type PauseExecution = Command<'PauseExecution', { beforeWaveId?: string }>;
export type ResumeExecution = Command<'ResumeExecution', Record<string, never>>;
export type CancelExecution = Command<'CancelExecution', { terminateInstances?: boolean; reason?: string }>;
export type ApproveStep = Command<'ApproveStep', { approvalId: string; comment?: string }>;
export type RejectStep = Command<'RejectStep', { approvalId: string; comment?: string }>;
/** The result of an SSM_DOCUMENT or LAMBDA step the process manager ran. */
export type RecordStepResult = Command<'RecordStepResult', { stepId: string; outcome: 'SUCCEEDED' | 'FAILED'; output?: string; reason?: string }>;
export type RecordTimerElapsed = Command<'RecordTimerElapsed', { timerId: string }>;
/** Default: every failed server. */
export type RetryFailedServers = Command<'RetryFailedServers', { sourceServerIds?: string[] }>;
export type CleanupDrill = Command<'CleanupDrill', Record<string, never>>;
export type RecordCleanupResult = Command<'RecordCleanupResult', {
  terminatedRecoveryInstanceIds: string[];
  failed?: { recoveryInstanceId: string; reason: string }[];
}>;

export type ExecutionCommand =
  | StartExecution
  | RecordRecoveryJobStarted
  | RecordServerLaunchResult
  | RecordServerLaunchRefused
  | RecordVerification
  | PauseExecution
  | ResumeExecution
  | CancelExecution
  | ApproveStep
  | RejectStep
  | RecordStepResult
  | RecordTimerElapsed
  | RetryFailedServers
  | CleanupDrill
  | RecordCleanupResult;
