/**
 * Generates a realistic fleet of N source servers across accounts and regions, deterministic for
 * a seed: applications of web / app / database (and sometimes cache and queue) tiers, hostnames
 * such as `prd-billing-db-02`, a Linux / Windows mix that depends on the tier, tags App, Tier and
 * Environment, a few servers that are not replicating, some EC2-origin servers (cross-region).
 *
 * Each account and region stays within DRS's replicating servers quota (L-C1D14A2B, 300): the
 * default number of accounts leaves room, and servers past the quota of a crowded account are
 * generated with replication STOPPED rather than producing a fleet DRS could not hold.
 */
import type { DataReplicationState, TagsMap } from './model.js';
import type { Fleet, FleetAccount, FleetServer, OperatingSystem } from './fleet.js';
import { SeededRandom } from './random.js';

export interface GenerateFleetOptions {
  /** Number of source servers. */
  servers: number;
  /** Number of accounts, or their ids (default: enough accounts for about 250 servers per account and region). */
  accounts?: number | string[];
  /** Regions where DRS is initialized in every account (default us-east-1). */
  regions?: string[];
  /** Default 1. */
  seed?: number;
  /** Share of servers not in CONTINUOUS replication (default 0.02). */
  notReplicatingRate?: number;
  /** Share of servers that are EC2 instances (AWS origin; cross-region when there are several regions). Default 0.15. */
  ec2OriginRate?: number;
  /** Replicating servers allowed per account and region (default 300, DRS's quota). */
  maxReplicatingPerAccountRegion?: number;
  /** Role that the first (hub) account may assume in every other account (default LifeboatDrsAccess). */
  roleName?: string;
}

export const GENERATED_ROLE_NAME = 'LifeboatDrsAccess';

const APPS = [
  'orders', 'billing', 'payments', 'crm', 'hr', 'payroll', 'inventory', 'analytics', 'portal', 'search', 'auth', 'mail',
  'erp', 'reporting', 'ledger', 'shipping', 'catalog', 'pricing', 'loyalty', 'booking', 'claims', 'policy', 'risk',
  'compliance', 'docs', 'wiki', 'intranet', 'chat', 'cms', 'warehouse', 'procurement', 'fleet', 'maintenance', 'trading',
  'underwriting', 'support', 'marketing', 'identity', 'gateway', 'scheduler',
];

interface TierSpec {
  tier: string;
  short: string;
  min: number;
  max: number;
  windowsRate: number;
  /** Chance that an application has this tier at all. */
  presence: number;
}

const TIERS: readonly TierSpec[] = [
  { tier: 'Web', short: 'web', min: 1, max: 4, windowsRate: 0.2, presence: 0.9 },
  { tier: 'App', short: 'app', min: 1, max: 6, windowsRate: 0.3, presence: 1 },
  { tier: 'Database', short: 'db', min: 1, max: 3, windowsRate: 0.35, presence: 0.95 },
  { tier: 'Cache', short: 'cache', min: 1, max: 2, windowsRate: 0, presence: 0.35 },
  { tier: 'Queue', short: 'mq', min: 1, max: 2, windowsRate: 0, presence: 0.25 },
];

const ENVIRONMENTS = [
  { name: 'Production', prefix: 'prd', weight: 0.6 },
  { name: 'Staging', prefix: 'stg', weight: 0.25 },
  { name: 'Development', prefix: 'dev', weight: 0.15 },
] as const;

const LINUX_STRINGS = [
  'Linux version 5.10.210-201.852.amzn2.x86_64 (Amazon Linux 2)',
  'Red Hat Enterprise Linux 8.8 (Ootpa) 4.18.0-477.10.1.el8_8.x86_64',
  'Ubuntu 22.04.4 LTS 5.15.0-105-generic',
  'Ubuntu 20.04.6 LTS 5.4.0-176-generic',
  'SUSE Linux Enterprise Server 15 SP5 5.14.21-150500.55.52-default',
];
const WINDOWS_STRINGS = [
  'Microsoft Windows Server 2016 Datacenter 64-bit',
  'Microsoft Windows Server 2019 Datacenter 64-bit',
  'Microsoft Windows Server 2022 Datacenter 64-bit',
];
const NOT_REPLICATING: readonly DataReplicationState[] = ['STALLED', 'STALLED', 'BACKLOG', 'INITIAL_SYNC', 'DISCONNECTED', 'PAUSED'];

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/;

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  const item = items[random.int(items.length)];
  if (item === undefined) throw new Error('generateFleet: nothing to pick from');
  return item;
}

function title(name: string): string {
  return name.length <= 3 ? name.toUpperCase() : name.charAt(0).toUpperCase() + name.slice(1);
}

function accountIds(random: SeededRandom, count: number): string[] {
  const ids = new Set<string>();
  while (ids.size < count) ids.add(String(100_000_000_000 + random.int(899_999_999_999)));
  return [...ids];
}

function accessKeyId(random: SeededRandom): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let key = 'AKIA';
  for (let i = 0; i < 16; i++) key += alphabet.charAt(random.int(alphabet.length));
  return key;
}

/** A generated fleet (accounts with access keys and a hub-trusted role, servers, no faults). */
export function generateFleet(options: GenerateFleetOptions): Fleet {
  const total = options.servers;
  if (!Number.isInteger(total) || total < 0) throw new Error(`generateFleet: servers must be an integer >= 0, got ${String(total)}`);
  const regions = options.regions && options.regions.length > 0 ? [...new Set(options.regions)] : ['us-east-1'];
  const badRegion = regions.find((r) => !REGION.test(r));
  if (badRegion) throw new Error(`generateFleet: '${badRegion}' is not a region name such as us-east-1`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new Error(`generateFleet: seed must be an integer, got ${String(seed)}`);
  const maxReplicating = options.maxReplicatingPerAccountRegion ?? 300;
  const notReplicatingRate = options.notReplicatingRate ?? 0.02;
  const ec2OriginRate = options.ec2OriginRate ?? 0.15;
  for (const [name, rate] of [['notReplicatingRate', notReplicatingRate], ['ec2OriginRate', ec2OriginRate]] as const) {
    if (!(rate >= 0 && rate <= 1)) throw new Error(`generateFleet: ${name} must be between 0 and 1, got ${rate}`);
  }
  const random = SeededRandom.derive(seed, 'generate-fleet');
  const ids = Array.isArray(options.accounts)
    ? options.accounts
    : accountIds(random, options.accounts ?? Math.max(1, Math.ceil(total / (250 * regions.length))));
  if (ids.length === 0) throw new Error('generateFleet: at least one account is needed');
  const badAccount = ids.find((id) => !/^[0-9]{12}$/.test(id));
  if (badAccount) throw new Error(`generateFleet: account id '${badAccount}' must be 12 digits`);
  const roleName = options.roleName ?? GENERATED_ROLE_NAME;
  const hub = ids[0] ?? '';
  const accounts: FleetAccount[] = ids.map((accountId, i) => ({
    accountId,
    regions: [...regions],
    accessKeyIds: [accessKeyId(random)],
    ...(i > 0 ? { roles: [{ roleName, trustedAccountIds: [hub] }] } : {}),
  }));

  const buckets = accounts.flatMap((a) => regions.map((region) => ({ accountId: a.accountId, region, replicating: 0, servers: 0 })));
  const servers: FleetServer[] = [];
  const usedApps = new Map<string, number>();
  let bucketIndex = 0;
  while (servers.length < total) {
    const base = pick(random, APPS);
    const n = (usedApps.get(base) ?? 0) + 1;
    usedApps.set(base, n);
    const app = n === 1 ? base : `${base}${n}`;
    const envDraw = random.next();
    let acc = 0;
    const env = ENVIRONMENTS.find((e) => (acc += e.weight) > envDraw) ?? ENVIRONMENTS[0];
    const bucket = buckets[bucketIndex % buckets.length];
    bucketIndex++;
    if (!bucket) break;
    for (const tier of TIERS) {
      if (random.next() >= tier.presence) continue;
      const count = tier.min + random.int(tier.max - tier.min + 1);
      for (let k = 1; k <= count && servers.length < total; k++) {
        const os: OperatingSystem = random.next() < tier.windowsRate ? 'WINDOWS' : 'LINUX';
        const hostname = `${env.prefix}-${app}-${tier.short}-${String(k).padStart(2, '0')}`;
        const tags: TagsMap = { App: title(app), Tier: tier.tier, Environment: env.name };
        let state: DataReplicationState = random.next() < notReplicatingRate ? pick(random, NOT_REPLICATING) : 'CONTINUOUS';
        const counts = state !== 'STOPPED' && state !== 'DISCONNECTED';
        if (counts && bucket.replicating >= maxReplicating) state = 'STOPPED';
        if (state !== 'STOPPED' && state !== 'DISCONNECTED') bucket.replicating++;
        bucket.servers++;
        const ec2 = random.next() < ec2OriginRate;
        const fullString = os === 'WINDOWS' ? pick(random, WINDOWS_STRINGS) : pick(random, LINUX_STRINGS);
        const otherRegions = regions.filter((r) => r !== bucket.region);
        const server: FleetServer = {
          hostname,
          os,
          accountId: bucket.accountId,
          region: bucket.region,
          tags,
          ...(state !== 'CONTINUOUS' ? { replicationState: state } : {}),
          osFullString: fullString,
          ...(ec2
            ? { awsInstanceID: `i-${random.hex(17)}`, ...(otherRegions.length > 0 ? { originRegion: pick(random, otherRegions) } : {}) }
            : { vmWareUuid: `4210${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(4)}-${random.hex(12)}` }),
        };
        servers.push(server);
      }
    }
  }
  return { accounts, servers };
}
