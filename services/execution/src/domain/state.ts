import type { Criticality, ExecutionMode, LaunchOrder, PlanSnapshot, ServerStatus, WaveStatus } from '@lifeboat/service-api';

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
}

export interface WaveState {
  waveId: string;
  name: string;
  dependsOn: string[];
  launchOrder: LaunchOrder;
  status: WaveStatus;
  /** In the plan's (boot) order. */
  serverIds: string[];
  /** In the order they were requested. */
  batchIds: string[];
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

/** What the aggregate knows once it started. */
export interface ExecutionFacts {
  executionId: string;
  mode: ExecutionMode;
  plan: PlanSnapshot;
  startedAt: string;
  /** In the plan's order. */
  waveIds: string[];
  waves: ReadonlyMap<string, WaveState>;
  servers: ReadonlyMap<string, ServerState>;
  batches: ReadonlyMap<string, BatchState>;
  /** jobId -> batchId. */
  jobs: ReadonlyMap<string, string>;
  verificationEventIds: ReadonlySet<string>;
}

export type ExecutionState =
  | { status: 'NOT_STARTED' }
  | ({ status: 'RUNNING' } & ExecutionFacts)
  | ({ status: 'COMPLETED'; completedAt: string } & ExecutionFacts)
  | ({ status: 'FAILED'; failedAt: string; reason: string } & ExecutionFacts);

export type RunningState = Extract<ExecutionState, { status: 'RUNNING' }>;
export type StartedState = Exclude<ExecutionState, { status: 'NOT_STARTED' }>;

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

export function hasLaunchResult(server: ServerState): boolean {
  return server.status === 'LAUNCHED' || server.status === 'LAUNCH_FAILED' || server.status === 'VERIFIED' || server.status === 'VERIFICATION_FAILED';
}

export function hasVerificationResult(server: ServerState): boolean {
  return server.status === 'VERIFIED' || server.status === 'VERIFICATION_FAILED';
}
