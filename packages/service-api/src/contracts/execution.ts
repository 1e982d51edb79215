import type { Criticality, ExecutionMode, LaunchOrder } from './common.js';

/** The execution service's API contract. */
// ---- execution (function lifeboat-execution-<stage>-api)
export type ExecutionStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';
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
export interface ExecutionOperations {
  /** DRILL needs drill:run, RECOVERY needs recovery:run and confirmation === plan name. */
  startExecution: { input: { planId: string; planVersion?: number; mode: ExecutionMode; confirmation?: string }; result: ExecutionView };
  /** NotFoundError when unknown. */
  getExecution: { input: { executionId: string }; result: ExecutionView };
  listExecutions: { input: Record<string, never>; result: ExecutionView[] };
  getExecutionEvents: { input: { executionId: string; afterVersion?: number }; result: StoredEventView[] };
}
