/**
 * Fleet files for scenario tests (LIFEBOAT_DRS_FLEET): the simulator's YAML/JSON fleet format
 * (packages/drs-simulator/README.md), written to a temporary folder.
 *
 * DRS lets at most 300 source servers replicate in one account and region (L-C1D14A2B, not
 * adjustable), so a target account recovers more than that through extended source servers: each
 * replicates in a staging account (at most STAGING_ACCOUNT_SIZE per staging account here) and is
 * extended into the target account, where it counts against the 4,000 source servers quota only.
 * That is how a fleet of 1,000 servers recoverable in one account and region is built.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FaultPlan, Fleet, FleetAccount, FleetServer } from '@lifeboat/drs-simulator';

/** The account and region the local stack runs in (packages/local/src/stack.ts LOCAL_SETTINGS). */
export const HOME_ACCOUNT_ID = '123456789012';
export const HOME_REGION = 'us-east-1';
/** Servers replicating in one staging account (under DRS's 300 replicating servers quota). */
export const STAGING_ACCOUNT_SIZE = 250;

export interface ScenarioServer {
  hostname: string;
  os?: 'LINUX' | 'WINDOWS';
  tags?: Record<string, string>;
}

/**
 * A fleet in the home account: `servers` replicate there directly, `extended` replicate in staging
 * accounts (created as needed) and are extended into the home account.
 */
export function scenarioFleet(options: { servers?: ScenarioServer[]; extended?: ScenarioServer[]; faults?: FaultPlan }): Fleet {
  const direct = options.servers ?? [];
  const extended = options.extended ?? [];
  if (direct.length > 300) throw new Error(`scenarioFleet: ${direct.length} servers cannot replicate in one account and region (300 at most); make the rest extended`);
  const stagingIds = Array.from({ length: Math.ceil(extended.length / STAGING_ACCOUNT_SIZE) }, (_, i) => `2100000000${String(i + 1).padStart(2, '0')}`);
  const accounts: FleetAccount[] = [
    { accountId: HOME_ACCOUNT_ID, regions: [HOME_REGION] },
    ...stagingIds.map((accountId) => ({ accountId, regions: [HOME_REGION], trustedAccountIds: [HOME_ACCOUNT_ID] })),
  ];
  const server = (s: ScenarioServer, accountId: string, extra: Partial<FleetServer> = {}): FleetServer => ({
    hostname: s.hostname,
    os: s.os ?? 'LINUX',
    accountId,
    region: HOME_REGION,
    tags: { Environment: 'Scenario', ...s.tags },
    ...extra,
  });
  const servers: FleetServer[] = [
    ...direct.map((s) => server(s, HOME_ACCOUNT_ID)),
    ...extended.flatMap((s, i) => {
      const staging = stagingIds[Math.floor(i / STAGING_ACCOUNT_SIZE)] ?? '';
      // The staging account's server (same hostname and region) and its extension into the home account.
      return [server(s, staging), server(s, HOME_ACCOUNT_ID, { stagingAccountID: staging })];
    }),
  ];
  return { accounts, servers, ...(options.faults ? { faults: options.faults } : {}) };
}

/** Writes the fleet as JSON into `dir`; answers the file's path (for LIFEBOAT_DRS_FLEET). */
export function writeFleetFile(dir: string, fleet: Fleet, name = 'fleet.json'): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(fleet, null, 1));
  return file;
}

/** `count` servers `<prefix>-001`, ... carrying `tags`. */
export function numberedServers(prefix: string, count: number, tags: Record<string, string>, os: 'LINUX' | 'WINDOWS' = 'LINUX'): ScenarioServer[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => ({ hostname: `${prefix}-${String(i + 1).padStart(width, '0')}`, os, tags }));
}

/**
 * Planning keeps at most 95 servers in a protection group (one DynamoDB transaction per change):
 * a large wave recovers several groups. These servers carry a `Group` tag per chunk of
 * `groupSize` (`<prefix>-g01`, ...), one tag selector per group.
 */
export const GROUP_TAG = 'Group';
export const MAX_GROUP_SIZE = 95;

export interface ServerChunk {
  /** The value of the GROUP_TAG tag of the chunk's servers. */
  tagValue: string;
  size: number;
}

/** The chunks `groupedServers(prefix, count, ..., groupSize)` makes. */
export function chunksOf(prefix: string, count: number, groupSize = MAX_GROUP_SIZE): ServerChunk[] {
  return Array.from({ length: Math.ceil(count / groupSize) }, (_, k) => ({ tagValue: `${prefix}-g${String(k + 1).padStart(2, '0')}`, size: Math.min(groupSize, count - k * groupSize) }));
}

/** `numberedServers`, each also tagged with its chunk (GROUP_TAG). */
export function groupedServers(prefix: string, count: number, tags: Record<string, string>, groupSize = MAX_GROUP_SIZE): ScenarioServer[] {
  const chunks = chunksOf(prefix, count, groupSize);
  return numberedServers(prefix, count, tags).map((s, i) => ({ ...s, tags: { ...s.tags, [GROUP_TAG]: chunks[Math.floor(i / groupSize)]?.tagValue ?? '' } }));
}
