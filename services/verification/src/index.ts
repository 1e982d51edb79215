export type { VerificationOperations } from './api.js';
export type { CheckDescription, CheckResult, CheckStatus, PlannedCheck } from './domain/checks.js';
export { DRS_POST_LAUNCH_ACTIONS, EC2_RUNNING_AND_STATUS_CHECKS, SSM_AGENT_ONLINE, planChecks } from './domain/checks.js';
