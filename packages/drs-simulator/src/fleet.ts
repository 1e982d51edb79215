/**
 * The simulated estate: AWS accounts with the regions where DRS is initialized, and the source
 * servers that replicate into them.
 */
import { readFaultPlan } from './faults.js';
import { DATA_REPLICATION_STATES, type DataReplicationState, type TagsMap } from './model.js';

export type OperatingSystem = 'LINUX' | 'WINDOWS';
export type LaunchOutcome = 'SUCCEED' | 'FAIL';

export interface FleetAccount {
  accountId: string;
  /** Regions where DRS is initialized for this account; calls to other regions get UninitializedAccountException. */
  regions: string[];
  /** Access key ids whose SigV4-signed calls act as this account (otherwise the fleet's first account). */
  accessKeyIds?: string[];
  /** IAM roles of this account that STS AssumeRole may assume (the trust policy, simplified). */
  roles?: FleetRole[];
  /**
   * DRS "trusted accounts" of this account as a staging account: the accounts that may list and
   * extend its source servers (ListExtensibleSourceServers, CreateExtendedSourceServer). Absent:
   * every other account of the fleet.
   */
  trustedAccountIds?: string[];
}

/** A role in a fleet account: `arn:aws:iam::<accountId>:role/<roleName>`. */
export interface FleetRole {
  roleName: string;
  /** Accounts whose callers may assume it (the trust policy's principals). */
  trustedAccountIds: string[];
  /** When set, AssumeRole must pass this ExternalId. */
  externalId?: string;
}

/** What SSM reports for a server's recovered instance (scripted per server). */
export interface FleetSsmScript {
  /** Default true: the agent is Online once the instance is running. */
  agentOnline?: boolean;
  /** Seconds (simulated, scaled like launches) before the agent comes online. */
  agentDelaySeconds?: number;
  /** Outcome of SendCommand on the instance; default Success. */
  commandStatus?: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  stdout?: string;
  stderr?: string;
}

/**
 * Faults to inject, from the fleet file or the control API (`POST /_simulator/faults`). The DRS core
 * applies launch, event and replication faults; the HTTP edge applies throttling, internal errors
 * and AssumeRole denial. A selector matches servers by id, hostname or all of the given tags.
 */
export interface ServerSelector {
  sourceServerIds?: string[];
  hostnames?: string[];
  tags?: TagsMap;
}
export interface FaultPlan {
  /** Launches that FAIL: each rule matches by selector and/or a rate (0..1) drawn from the seed. */
  launchFailures?: (ServerSelector & { rate?: number })[];
  /** Launches that take `factor` times longer. */
  slowLaunches?: (ServerSelector & { factor: number; rate?: number })[];
  /** What happens to the aws.drs events sent to the bus. */
  events?: { lossRate?: number; duplicateRate?: number; delayMs?: number; delayRate?: number };
  /** Servers whose replication stalls (DRS Source Server Data Replication Stalled Change), optionally recovering after a while. */
  replicationStalls?: (ServerSelector & { afterSeconds?: number; durationSeconds?: number })[];
  /** ThrottlingException (429 with Retry-After) for the next `count` calls, or a rate of calls, of the named operations (all when omitted). */
  throttling?: { operations?: string[]; count?: number; rate?: number; retryAfterSeconds?: number };
  /** InternalServerException (500) likewise. */
  internalErrors?: { operations?: string[]; count?: number; rate?: number };
  /** AssumeRole answers AccessDenied for these role ARNs (all when `all`). */
  assumeRoleDenied?: { roleArns?: string[]; all?: boolean };
}

export interface FleetServer {
  hostname: string;
  os: OperatingSystem;
  accountId: string;
  region: string;
  tags?: TagsMap;
  /** Default CONTINUOUS; a server in any other state cannot be launched (its launch FAILS). */
  replicationState?: DataReplicationState;
  /** Forces the outcome of this server's launches (default SUCCEED when replicating). */
  launchOutcome?: LaunchOutcome;
  /** Scripted SSM behaviour of this server's recovered instances. */
  ssm?: FleetSsmScript;
  /** A fixed id instead of the one derived from the seed (pattern s-[0-9a-zA-Z]{17}). */
  sourceServerID?: string;
  /** `sourceProperties.os.fullString`; a typical string for the OS by default. */
  osFullString?: string;
  /** Makes this an extended source server whose staging account is this one. */
  stagingAccountID?: string;
  vmWareUuid?: string;
  /** The EC2 instance this server is (an AWS-origin server: ReverseReplication applies to it). */
  awsInstanceID?: string;
  /** For an AWS-origin server: where the instance runs (default: the account's other region, or its own). */
  originRegion?: string;
  originAccountID?: string;
  recommendedInstanceType?: string;
}

export interface Fleet {
  accounts: FleetAccount[];
  servers: FleetServer[];
  faults?: FaultPlan;
}

export const DEMO_ACCOUNT_ID = '123456789012';
export const DEMO_REGION = 'us-east-1';

/** A 3-tier "Orders" application and a few other servers, in account 123456789012, us-east-1. */
export function demoFleet(): Fleet {
  const server = (hostname: string, os: OperatingSystem, tags: TagsMap, extra: Partial<FleetServer> = {}): FleetServer => ({
    hostname,
    os,
    accountId: DEMO_ACCOUNT_ID,
    region: DEMO_REGION,
    tags: { Environment: 'Production', ...tags },
    ...extra,
  });
  const orders = (tier: string) => ({ App: 'Orders', Tier: tier });
  return {
    accounts: [{ accountId: DEMO_ACCOUNT_ID, regions: [DEMO_REGION] }],
    servers: [
      server('orders-db-1', 'LINUX', orders('Database')),
      server('orders-db-2', 'LINUX', orders('Database')),
      server('orders-app-1', 'LINUX', orders('App')),
      server('orders-app-2', 'WINDOWS', orders('App')),
      server('orders-web-1', 'LINUX', orders('Web')),
      server('orders-web-2', 'LINUX', orders('Web')),
      server('fileserver-1', 'WINDOWS', { App: 'FileShare', Tier: 'Storage' }),
      server('monitoring-1', 'LINUX', { App: 'Monitoring', Tier: 'Ops' }),
      server('legacy-erp-1', 'LINUX', { App: 'ERP', Tier: 'App' }, { replicationState: 'STALLED' }),
    ],
  };
}

/** A fleet file or object that does not describe a valid fleet. */
export class FleetError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid fleet: ${problems.join('; ')}`);
    this.name = 'FleetError';
  }
}

const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/;
const SOURCE_SERVER_ID = /^s-[0-9a-zA-Z]{17}$/;
const EC2_INSTANCE_ID = /^i-[0-9a-fA-F]{8,}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(obj: Record<string, unknown>, key: string, where: string, problems: string[], pattern?: RegExp): string | undefined {
  const value = obj[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > 256) {
    problems.push(`${where}.${key} must be a string of at most 256 characters`);
    return undefined;
  }
  if (pattern && !pattern.test(value)) {
    problems.push(`${where}.${key} '${value}' must match ${pattern.source}`);
    return undefined;
  }
  return value;
}

/** Validates an untrusted value (a parsed YAML/JSON file) as a fleet; throws FleetError listing every problem. */
export function parseFleet(value: unknown): Fleet {
  const problems: string[] = [];
  if (!isRecord(value)) throw new FleetError(['the fleet must be an object with `accounts` and `servers`']);
  const accounts: FleetAccount[] = [];
  if (!Array.isArray(value.accounts) || value.accounts.length === 0) problems.push('`accounts` must be a non-empty list');
  else {
    value.accounts.forEach((raw: unknown, i) => {
      const where = `accounts[${i}]`;
      if (!isRecord(raw)) return void problems.push(`${where} must be an object`);
      const accountId = typeof raw.accountId === 'number' ? String(raw.accountId) : raw.accountId;
      if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) problems.push(`${where}.accountId must be 12 digits`);
      const regions = raw.regions;
      if (!Array.isArray(regions) || regions.length === 0 || !regions.every((r) => typeof r === 'string' && REGION.test(r))) {
        problems.push(`${where}.regions must be a non-empty list of region names such as us-east-1`);
      }
      const keys = raw.accessKeyIds;
      if (keys !== undefined && (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string' && k.length > 0))) {
        problems.push(`${where}.accessKeyIds must be a list of access key ids`);
      }
      const roles = readRoles(raw.roles, where, problems);
      const trusted = raw.trustedAccountIds;
      if (trusted !== undefined && (!Array.isArray(trusted) || !trusted.every((t) => typeof t === 'string' && ACCOUNT_ID.test(t)))) {
        problems.push(`${where}.trustedAccountIds must be a list of 12-digit account ids`);
      }
      if (typeof accountId === 'string' && Array.isArray(regions)) {
        accounts.push({
          accountId,
          regions: regions.filter((r): r is string => typeof r === 'string'),
          ...(Array.isArray(keys) ? { accessKeyIds: keys.filter((k): k is string => typeof k === 'string') } : {}),
          ...(roles ? { roles } : {}),
          ...(Array.isArray(trusted) ? { trustedAccountIds: trusted.filter((t): t is string => typeof t === 'string') } : {}),
        });
      }
    });
    const ids = accounts.map((a) => a.accountId);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) problems.push(`account ${dup} is listed twice`);
  }

  const servers: FleetServer[] = [];
  if (!Array.isArray(value.servers)) problems.push('`servers` must be a list');
  else {
    const fixedIds = new Set<string>();
    value.servers.forEach((raw: unknown, i) => {
      const where = `servers[${i}]`;
      if (!isRecord(raw)) return void problems.push(`${where} must be an object`);
      const hostname = raw.hostname;
      if (typeof hostname !== 'string' || hostname.length === 0 || hostname.length > 256) {
        problems.push(`${where}.hostname must be a non-empty string of at most 256 characters`);
      }
      const os = raw.os;
      if (os !== 'LINUX' && os !== 'WINDOWS') problems.push(`${where}.os must be LINUX or WINDOWS`);
      const rawAccount = raw.accountId ?? accounts[0]?.accountId;
      const accountId = typeof rawAccount === 'number' ? String(rawAccount) : rawAccount;
      const account = accounts.find((a) => a.accountId === accountId);
      if (!account) problems.push(`${where}.accountId must name one of the fleet's accounts`);
      const region = raw.region ?? account?.regions[0];
      if (typeof region !== 'string' || (account && !account.regions.includes(region))) {
        problems.push(`${where}.region must be one of the regions of account ${String(accountId)}`);
      }
      const tags = raw.tags;
      if (tags !== undefined && (!isRecord(tags) || !Object.values(tags).every((v) => typeof v === 'string'))) {
        problems.push(`${where}.tags must map tag keys to string values`);
      }
      const state = raw.replicationState;
      if (state !== undefined && !(DATA_REPLICATION_STATES as readonly unknown[]).includes(state)) {
        problems.push(`${where}.replicationState must be one of ${DATA_REPLICATION_STATES.join(', ')}`);
      }
      const outcome = raw.launchOutcome;
      if (outcome !== undefined && outcome !== 'SUCCEED' && outcome !== 'FAIL') problems.push(`${where}.launchOutcome must be SUCCEED or FAIL`);
      const sourceServerID = optionalString(raw, 'sourceServerID', where, problems, SOURCE_SERVER_ID);
      if (sourceServerID) {
        if (fixedIds.has(sourceServerID)) problems.push(`${where}.sourceServerID ${sourceServerID} is used twice`);
        fixedIds.add(sourceServerID);
      }
      const osFullString = optionalString(raw, 'osFullString', where, problems);
      const stagingAccountID = optionalString(raw, 'stagingAccountID', where, problems, ACCOUNT_ID);
      const vmWareUuid = optionalString(raw, 'vmWareUuid', where, problems);
      const awsInstanceID = optionalString(raw, 'awsInstanceID', where, problems, EC2_INSTANCE_ID);
      const recommendedInstanceType = optionalString(raw, 'recommendedInstanceType', where, problems);
      const originRegion = optionalString(raw, 'originRegion', where, problems, REGION);
      const originAccountID = optionalString(raw, 'originAccountID', where, problems, ACCOUNT_ID);
      const ssm = readSsmScript(raw.ssm, where, problems);
      if (typeof hostname === 'string' && (os === 'LINUX' || os === 'WINDOWS') && typeof accountId === 'string' && typeof region === 'string') {
        servers.push({
          hostname,
          os,
          accountId,
          region,
          ...(isRecord(tags) ? { tags: Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)])) } : {}),
          ...(state !== undefined ? { replicationState: state as DataReplicationState } : {}),
          ...(outcome === 'SUCCEED' || outcome === 'FAIL' ? { launchOutcome: outcome } : {}),
          ...(sourceServerID ? { sourceServerID } : {}),
          ...(osFullString ? { osFullString } : {}),
          ...(stagingAccountID ? { stagingAccountID } : {}),
          ...(vmWareUuid ? { vmWareUuid } : {}),
          ...(awsInstanceID ? { awsInstanceID } : {}),
          ...(originRegion ? { originRegion } : {}),
          ...(originAccountID ? { originAccountID } : {}),
          ...(recommendedInstanceType ? { recommendedInstanceType } : {}),
          ...(ssm ? { ssm } : {}),
        });
      }
    });
  }
  const faults = value.faults === undefined ? undefined : readFaultPlan(value.faults, 'faults', problems);
  if (problems.length > 0) throw new FleetError(problems);
  return { accounts, servers, ...(faults ? { faults } : {}) };
}

function readRoles(value: unknown, where: string, problems: string[]): FleetRole[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems.push(`${where}.roles must be a list`);
    return undefined;
  }
  const roles: FleetRole[] = [];
  value.forEach((raw: unknown, i) => {
    const w = `${where}.roles[${i}]`;
    if (!isRecord(raw)) return void problems.push(`${w} must be an object`);
    const roleName = raw.roleName;
    if (typeof roleName !== 'string' || !/^[\w+=,.@-]{1,64}$/.test(roleName)) problems.push(`${w}.roleName must be an IAM role name`);
    const trusted = raw.trustedAccountIds;
    const trustedIds = Array.isArray(trusted) ? trusted.map((t) => (typeof t === 'number' ? String(t) : t)) : undefined;
    if (!trustedIds || !trustedIds.every((t) => typeof t === 'string' && ACCOUNT_ID.test(t))) problems.push(`${w}.trustedAccountIds must be a list of 12-digit account ids`);
    const externalId = raw.externalId;
    if (externalId !== undefined && (typeof externalId !== 'string' || externalId.length < 2 || externalId.length > 1224)) problems.push(`${w}.externalId must be a string of 2 to 1224 characters`);
    if (typeof roleName === 'string' && trustedIds) {
      roles.push({
        roleName,
        trustedAccountIds: trustedIds.filter((t): t is string => typeof t === 'string'),
        ...(typeof externalId === 'string' ? { externalId } : {}),
      });
    }
  });
  return roles;
}

const SSM_COMMAND_STATUSES = ['Success', 'Failed', 'TimedOut', 'Cancelled'] as const;

function readSsmScript(value: unknown, where: string, problems: string[]): FleetSsmScript | undefined {
  if (value === undefined) return undefined;
  const w = `${where}.ssm`;
  if (!isRecord(value)) {
    problems.push(`${w} must be an object`);
    return undefined;
  }
  const script: FleetSsmScript = {};
  for (const key of Object.keys(value)) {
    if (!['agentOnline', 'agentDelaySeconds', 'commandStatus', 'stdout', 'stderr'].includes(key)) problems.push(`${w}.${key} is not a known setting`);
  }
  if (value.agentOnline !== undefined) {
    if (typeof value.agentOnline !== 'boolean') problems.push(`${w}.agentOnline must be true or false`);
    else script.agentOnline = value.agentOnline;
  }
  if (value.agentDelaySeconds !== undefined) {
    if (typeof value.agentDelaySeconds !== 'number' || !Number.isFinite(value.agentDelaySeconds) || value.agentDelaySeconds < 0) problems.push(`${w}.agentDelaySeconds must be a number >= 0`);
    else script.agentDelaySeconds = value.agentDelaySeconds;
  }
  if (value.commandStatus !== undefined) {
    const status = SSM_COMMAND_STATUSES.find((s) => s === value.commandStatus);
    if (!status) problems.push(`${w}.commandStatus must be one of ${SSM_COMMAND_STATUSES.join(', ')}`);
    else script.commandStatus = status;
  }
  for (const key of ['stdout', 'stderr'] as const) {
    const text = value[key];
    if (text === undefined) continue;
    if (typeof text !== 'string') problems.push(`${w}.${key} must be a string`);
    else script[key] = text;
  }
  return script;
}
