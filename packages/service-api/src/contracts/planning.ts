import type { Criticality, LaunchOrder } from './common.js';

/** The planning service's API contract. */
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

