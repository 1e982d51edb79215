import type { Actor } from '@lifeboat/events';
import type { ExecutionMode, PlanSnapshot } from '@lifeboat/service-api';
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
  /** The event that caused this command (null for a user's request). */
  causationId: string | null;
}

interface Command<TType extends string, TData> {
  type: TType;
  data: TData;
  metadata: CommandMetadata;
}

export type StartExecution = Command<'StartExecution', { executionId: string; mode: ExecutionMode; plan: PlanSnapshot }>;

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
  reason?: string;
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

export type ExecutionCommand = StartExecution | RecordRecoveryJobStarted | RecordServerLaunchResult | RecordVerification;
