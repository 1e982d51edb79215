import type { FieldProblem } from '@lifeboat/service-api';
import { ACCOUNT_ID, REGION } from './inventory.js';

/**
 * Target accounts and regions: where the catalog lists DRS source servers. The account the
 * catalog runs in is a target without configuration (no role, its own region), so that a fresh
 * deployment (and the local stack) lists its own servers at once. Pure.
 */

/** A configured target account. */
export interface TargetAccount {
  accountId: string;
  regions: string[];
  /** Absent only for the account Lifeboat runs in: its own credentials are used. */
  roleArn?: string;
  externalId?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

/** One account and region to sync, and how to reach it. */
export interface SyncTarget {
  accountId: string;
  region: string;
  roleArn?: string;
  externalId?: string;
}

/** The account and region Lifeboat runs in. */
export interface HomeTarget {
  accountId: string;
  region: string;
}

/** `arn:<partition>:iam::<account>:role/<path/><name>` (IAM role names: 1..64 of [\w+=,.@-]). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\/((?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64})$/;
/** STS AssumeRole's ExternalId constraint. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** More regions than AWS has is a mistake. */
const MAX_REGIONS = 40;

export function roleAccountOf(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[1];
}

function problemsOfRegions(regions: unknown, problems: FieldProblem[]): string[] {
  if (!Array.isArray(regions) || regions.length === 0) {
    problems.push({ field: 'regions', message: 'must list at least one AWS region, e.g. ["us-east-1"]' });
    return [];
  }
  if (regions.length > MAX_REGIONS) problems.push({ field: 'regions', message: `must list at most ${MAX_REGIONS} regions` });
  const seen = new Set<string>();
  regions.forEach((region, index) => {
    if (typeof region !== 'string' || !REGION.test(region)) problems.push({ field: `regions[${index}]`, message: 'must be an AWS region such as us-east-1' });
    else if (seen.has(region)) problems.push({ field: `regions[${index}]`, message: `lists ${region} twice` });
    else seen.add(region);
  });
  return [...seen];
}

function checkRole(accountId: string, roleArn: unknown, home: HomeTarget, problems: FieldProblem[]): string | undefined {
  if (roleArn === undefined || roleArn === null || roleArn === '') {
    if (accountId !== home.accountId) problems.push({ field: 'roleArn', message: 'is required for an account other than the one Lifeboat runs in' });
    return undefined;
  }
  if (typeof roleArn !== 'string' || !ROLE_ARN.test(roleArn)) {
    problems.push({ field: 'roleArn', message: 'must be an IAM role ARN such as arn:aws:iam::111122223333:role/LifeboatCatalog' });
    return undefined;
  }
  if (roleAccountOf(roleArn) !== accountId) problems.push({ field: 'roleArn', message: `must be a role of account ${accountId}` });
  return roleArn;
}

function checkExternalId(externalId: unknown, roleArn: string | undefined, problems: FieldProblem[]): string | undefined {
  if (externalId === undefined || externalId === null || externalId === '') return undefined;
  if (typeof externalId !== 'string' || !EXTERNAL_ID.test(externalId)) {
    problems.push({ field: 'externalId', message: 'must be 2 to 1224 characters of letters, digits and +=,.@:/-_' });
    return undefined;
  }
  if (!roleArn) problems.push({ field: 'externalId', message: 'needs a roleArn (it is passed to AssumeRole)' });
  return externalId;
}

export type ParsedTarget = { ok: true; target: Pick<TargetAccount, 'accountId' | 'regions' | 'roleArn' | 'externalId'> } | { ok: false; problems: FieldProblem[] };

function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

/** The account id of an input, or its problem. */
export function parseAccountId(input: unknown): { ok: true; accountId: string } | { ok: false; problems: FieldProblem[] } {
  const accountId = isObject(input) ? input.accountId : undefined;
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) return { ok: false, problems: [{ field: 'accountId', message: 'must be a 12-digit AWS account id' }] };
  return { ok: true, accountId };
}

const TARGET_FIELDS = ['accountId', 'regions', 'roleArn', 'externalId'];

/** A target account from addTargetAccount's input, or every problem with it. */
export function parseTargetInput(input: unknown, home: HomeTarget): ParsedTarget {
  const problems: FieldProblem[] = [];
  if (!isObject(input)) return { ok: false, problems: [{ field: '', message: 'must be an object with accountId, regions, roleArn and externalId' }] };
  for (const key of Object.keys(input)) if (!TARGET_FIELDS.includes(key)) problems.push({ field: key, message: 'is not a field of a target account' });
  const account = parseAccountId(input);
  if (!account.ok) problems.push(...account.problems);
  const accountId = account.ok ? account.accountId : '';
  const regions = problemsOfRegions(input.regions, problems);
  const roleArn = checkRole(accountId, input.roleArn, home, problems);
  const externalId = checkExternalId(input.externalId, roleArn, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, target: { accountId, regions, ...(roleArn ? { roleArn } : {}), ...(externalId ? { externalId } : {}) } };
}

/** The target after updateTargetAccount's input (`externalId: null` removes it), or every problem. */
export function parseTargetUpdate(input: unknown, current: Pick<TargetAccount, 'accountId' | 'regions' | 'roleArn' | 'externalId'>, home: HomeTarget): ParsedTarget {
  if (!isObject(input)) return { ok: false, problems: [{ field: '', message: 'must be an object with accountId and the fields to change' }] };
  const merged: Record<string, unknown> = { accountId: current.accountId, regions: current.regions, roleArn: current.roleArn, externalId: current.externalId };
  for (const [key, value] of Object.entries(input)) if (key !== 'accountId') merged[key] = value;
  return parseTargetInput(merged, home);
}

/**
 * Every account and region to sync: the configured targets, and the account Lifeboat runs in
 * (its region, its own credentials) unless it is configured itself.
 */
export function syncTargetsOf(accounts: readonly Pick<TargetAccount, 'accountId' | 'regions' | 'roleArn' | 'externalId'>[], home: HomeTarget): SyncTarget[] {
  const targets: SyncTarget[] = [];
  if (!accounts.some((account) => account.accountId === home.accountId)) targets.push({ accountId: home.accountId, region: home.region });
  for (const account of [...accounts].sort((a, b) => a.accountId.localeCompare(b.accountId))) {
    for (const region of account.regions) {
      targets.push({
        accountId: account.accountId,
        region,
        ...(account.roleArn ? { roleArn: account.roleArn } : {}),
        ...(account.externalId ? { externalId: account.externalId } : {}),
      });
    }
  }
  return targets;
}

export function targetKeyOf(target: { accountId: string; region: string }): string {
  return `${target.accountId}#${target.region}`;
}
