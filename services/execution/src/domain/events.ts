import type { DomainEvent } from '@lifeboat/events';
import type { Criticality, ExecutionMode, PlanSnapshot } from '@lifeboat/service-api';

/**
 * The events of the Execution aggregate. Their `data` shapes are exactly those of
 * events/schemas/<Type>.schema.json (optional properties are omitted, never `undefined`).
 */
export type ExecutionStarted = DomainEvent<'ExecutionStarted', {
  executionId: string;
  planId: string;
  planVersion: number;
  mode: ExecutionMode;
  plan: PlanSnapshot;
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
export type ServerLaunchRequested = DomainEvent<'ServerLaunchRequested', ServerRef & { batchId: string }>;

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
  | ExecutionFailed;

export type ExecutionEventType = ExecutionEvent['type'];

/** The data of each event type, by type. */
export type ExecutionEventData = { [E in ExecutionEvent as E['type']]: E['data'] };

const EXECUTION_EVENT_TYPES: ReadonlySet<string> = new Set<ExecutionEventType>([
  'ExecutionStarted', 'WaveStarted', 'ServerLaunchRequested', 'RecoveryJobStarted', 'ServerLaunched', 'ServerLaunchFailed',
  'ServerVerificationRecorded', 'WaveCompleted', 'WaveFailed', 'ExecutionCompleted', 'ExecutionFailed',
]);

/** True when a stored event is one of the aggregate's own event types. */
export function isExecutionEvent(event: DomainEvent): event is ExecutionEvent {
  return EXECUTION_EVENT_TYPES.has(event.type);
}

export type { Criticality };
