// Planning is reached through its `api` function and its events; these exports are for tests and
// tools that check plans the way planning does (never for reaching into planning's tables).
export type { InventoryServer } from './domain/inventory.js';
export { recoveryPlanProblems, checkRecoveryPlan, resolvePlan, dependencyCycles, DRS_QUOTAS } from './domain/recovery-plan.js';
export { protectionGroupProblems, MAX_SERVERS_PER_GROUP } from './domain/protection-group.js';
export { API_VERSION } from './domain/documents.js';
