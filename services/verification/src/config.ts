import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requiredEnv } from '@lifeboat/service-api';
import { TargetAccounts } from '@lifeboat/target-accounts';
import { DynamoDbExecutionContexts } from './adapters/dynamodb-execution-contexts.js';
import { DynamoDbJobSnapshots } from './adapters/dynamodb-job-snapshots.js';
import type { CheckSettings } from './domain/checks.js';
import { DEFAULT_JOB_LAUNCH_ACTIONS_OPTIONS, JobLaunchActionsReader } from './job-launch-actions.js';
import { systemClock } from './verify.js';

function positiveNumber(name: string): number {
  const text = requiredEnv(name);
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Environment variable ${name} must be a positive number, not "${text}"`);
  return value;
}

export interface ServiceSettings {
  /** The longest delay between two looks at a check still waiting (VERIFICATION_POLL_MS). */
  pollMs: number;
  /** The most one server's verification may take, before Lambda's own limit (VERIFICATION_TIMEOUT_SECONDS). */
  budgetMs: number;
  checks: CheckSettings;
}

let settings: ServiceSettings | undefined;

/**
 * The service's settings (the plan's per group and server settings come with ExecutionStarted).
 * Seconds may be fractional, for tests. Read once, on first use.
 */
export function serviceSettings(): ServiceSettings {
  return (settings ??= {
    pollMs: Math.round(positiveNumber('VERIFICATION_POLL_MS')),
    budgetMs: Math.round(positiveNumber('VERIFICATION_TIMEOUT_SECONDS') * 1000),
    checks: {
      postLaunchActionsTimeoutMs: Math.round(positiveNumber('VERIFICATION_POST_LAUNCH_ACTIONS_TIMEOUT_SECONDS') * 1000),
      probeTimeoutMs: Math.round(positiveNumber('VERIFICATION_PROBE_TIMEOUT_SECONDS') * 1000),
    },
  });
}

let documents: DynamoDBDocumentClient | undefined;
const documentClient = () => (documents ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }));

let contexts: DynamoDbExecutionContexts | undefined;

/** VERIFICATION_EXECUTIONS_TABLE, kept VERIFICATION_RETENTION_DAYS days. Read once, on first use. */
export function executionContexts(): DynamoDbExecutionContexts {
  return (contexts ??= new DynamoDbExecutionContexts(documentClient(), requiredEnv('VERIFICATION_EXECUTIONS_TABLE'), positiveNumber('VERIFICATION_RETENTION_DAYS')));
}

let jobReads: JobLaunchActionsReader | undefined;

/**
 * The snapshots of DRS jobs' launch actions shared by the verifications of their servers
 * (VERIFICATION_JOBS_TABLE), fresh for VERIFICATION_JOB_SNAPSHOT_FRESH_MS (default 2,000). One per
 * process: locally every verification shares it. Read once, on first use.
 */
export function jobLaunchActionsReader(): JobLaunchActionsReader {
  return (jobReads ??= new JobLaunchActionsReader(new DynamoDbJobSnapshots(documentClient(), requiredEnv('VERIFICATION_JOBS_TABLE')), systemClock, {
    freshMs: process.env.VERIFICATION_JOB_SNAPSHOT_FRESH_MS === undefined ? DEFAULT_JOB_LAUNCH_ACTIONS_OPTIONS.freshMs : positiveNumber('VERIFICATION_JOB_SNAPSHOT_FRESH_MS'),
  }));
}

let accounts: TargetAccounts | undefined;

/**
 * The accounts recovered instances live in: this function's own (its credentials) and the spokes
 * (the role the catalog answers, CATALOG_API_FUNCTION, assumed as `lifeboat-verification`).
 */
export function targetAccounts(): TargetAccounts {
  return (accounts ??= new TargetAccounts({ service: 'verification' }));
}
