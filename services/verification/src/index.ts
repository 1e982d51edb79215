export type { VerificationOperations } from './api.js';
export type { CheckDescription, CheckResult, CheckStatus } from './domain/checks.js';
export { EC2_INSTANCE_RUNNING, RECOVERY_INSTANCE_FOUND } from './domain/checks.js';
