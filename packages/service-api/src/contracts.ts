/**
 * Inputs and results of each service's API operations: the sync contract between the gateway
 * (and other services) and a service's `api` function. Ids are DRS ids where they exist.
 */
export type ExecutionMode = 'DRILL' | 'RECOVERY';
export type LaunchOrder = 'PARALLEL' | 'SEQUENTIAL';
export type Criticality = 'CRITICAL' | 'OPTIONAL';

// ---- catalog (function lifeboat-catalog-<stage>-api)
export interface SourceServerView {
  sourceServerId: string;
  accountId: string;
  region: string;
  arn: string;
  hostname: string;
  os: string;
  tags: Record<string, string>;
  replicationState: string;
  /** CONTINUOUS replication means ready. */
  readyForRecovery: boolean;
  stagingAccountId?: string;
  lastSeenAt: string;
}
export interface CatalogOperations {
  listSourceServers: { input: { limit?: number; nextToken?: string }; result: { items: SourceServerView[]; nextToken: string | null } };
  /** Runs a full sync now (also runs on its schedule). */
  syncSourceServers: { input: Record<string, never>; result: { discovered: number; changed: number; removed: number } };
}

// ---- planning (function lifeboat-planning-<stage>-api)
export interface ProtectionGroupView {
  protectionGroupId: string;
  name: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  createdAt: string;
  createdBy: string;
}
export interface WaveView {
  waveId: string;
  name: string;
  /** Wave ids. */
  dependsOn: string[];
  launchOrder: LaunchOrder;
  protectionGroupIds: string[];
}
export interface RecoveryPlanView {
  planId: string;
  name: string;
  version: number;
  waves: WaveView[];
  createdAt: string;
  createdBy: string;
}
export interface WaveInput {
  name: string;
  /** Names of other waves of the same plan. */
  dependsOn?: string[];
  launchOrder?: LaunchOrder;
  protectionGroupIds: string[];
}
/** What an execution runs: one plan version with each wave's servers resolved (the ExecutionStarted snapshot). */
export interface PlanSnapshot {
  planId: string;
  version: number;
  name: string;
  waves: {
    waveId: string;
    name: string;
    dependsOn: string[];
    launchOrder: LaunchOrder;
    servers: { sourceServerId: string; accountId: string; region: string; hostname: string; criticality: Criticality }[];
  }[];
}
export interface PlanningOperations {
  createProtectionGroup: { input: { name: string; accountId: string; region: string; sourceServerIds: string[] }; result: ProtectionGroupView };
  listProtectionGroups: { input: Record<string, never>; result: ProtectionGroupView[] };
  createRecoveryPlan: { input: { name: string; waves: WaveInput[] }; result: RecoveryPlanView };
  /** Latest version of each plan. */
  listRecoveryPlans: { input: Record<string, never>; result: RecoveryPlanView[] };
  /** NotFoundError when the plan or version does not exist. */
  getRecoveryPlan: { input: { planId: string; version?: number }; result: RecoveryPlanView };
  resolveRecoveryPlan: { input: { planId: string; version?: number }; result: PlanSnapshot };
}

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
