import { describe, it, expect } from '@jest/globals';
import { DrsSimulator, ManualClock, parseFleet } from '../src/index.js';
import { GENERATED_ROLE_NAME, generateFleet } from '../src/generator.js';

describe('generateFleet', () => {
  it('makes N realistic servers across accounts and regions, deterministic for a seed', () => {
    const fleet = generateFleet({ servers: 600, accounts: 3, regions: ['us-east-1', 'us-west-2'], seed: 4 });
    expect(fleet.servers).toHaveLength(600);
    expect(fleet.accounts).toHaveLength(3);
    const [hub, ...spokes] = fleet.accounts;
    for (const account of fleet.accounts) {
      expect(account.accountId).toMatch(/^[1-9][0-9]{11}$/);
      expect(account.regions).toEqual(['us-east-1', 'us-west-2']);
      expect(account.accessKeyIds?.[0]).toMatch(/^AKIA[A-Z2-7]{16}$/);
    }
    for (const spoke of spokes) expect(spoke.roles).toEqual([{ roleName: GENERATED_ROLE_NAME, trustedAccountIds: [hub?.accountId] }]);
    const buckets = new Set(fleet.servers.map((s) => `${s.accountId}/${s.region}`));
    expect(buckets.size).toBe(6);
    const hostnames = fleet.servers.map((s) => s.hostname);
    expect(new Set(hostnames).size).toBe(hostnames.length);
    for (const h of hostnames) expect(h).toMatch(/^(prd|stg|dev)-[a-z]+[0-9]*-(web|app|db|cache|mq)-\d\d$/);
    for (const s of fleet.servers) expect(Object.keys(s.tags ?? {}).sort()).toEqual(['App', 'Environment', 'Tier']);
    const windows = fleet.servers.filter((s) => s.os === 'WINDOWS').length / fleet.servers.length;
    expect(windows).toBeGreaterThan(0.1);
    expect(windows).toBeLessThan(0.45);
    const notReplicating = fleet.servers.filter((s) => s.replicationState !== undefined).length;
    expect(notReplicating).toBeGreaterThan(0);
    expect(notReplicating).toBeLessThan(40);
    expect(new Set(fleet.servers.map((s) => s.tags?.Environment))).toEqual(new Set(['Production', 'Staging', 'Development']));
    expect(fleet.servers.some((s) => s.awsInstanceID && s.originRegion && s.originRegion !== s.region)).toBe(true);
    expect(generateFleet({ servers: 600, accounts: 3, regions: ['us-east-1', 'us-west-2'], seed: 4 })).toEqual(fleet);
    expect(generateFleet({ servers: 600, accounts: 3, regions: ['us-east-1', 'us-west-2'], seed: 5 })).not.toEqual(fleet);
    expect(parseFleet(fleet)).toEqual(fleet); // a valid fleet file
  });

  it('keeps every account and region within the replicating servers quota', () => {
    const crowded = generateFleet({ servers: 700, accounts: 1, seed: 2 });
    const replicating = crowded.servers.filter((s) => s.replicationState !== 'STOPPED' && s.replicationState !== 'DISCONNECTED').length;
    expect(replicating).toBeLessThanOrEqual(300);
    expect(crowded.servers.filter((s) => s.replicationState === 'STOPPED').length).toBeGreaterThan(350);
    expect(() => new DrsSimulator({ fleet: crowded, clock: new ManualClock() })).not.toThrow();
    expect(() => generateFleet({ servers: -1 })).toThrow(/servers/);
    expect(() => generateFleet({ servers: 5, regions: ['Mars'] })).toThrow(/region/);
  });

  it('starts a 4,000-server fleet quickly and serves every page of it', () => {
    const t0 = performance.now();
    const fleet = generateFleet({ servers: 4000, regions: ['us-east-1', 'us-west-2'], seed: 1 });
    const t1 = performance.now();
    const sim = new DrsSimulator({ fleet, clock: new ManualClock(), seed: 1 });
    const t2 = performance.now();
    let seen = 0;
    for (const account of fleet.accounts) {
      for (const region of account.regions) {
        let nextToken: string | undefined;
        do {
          const page = sim.describeSourceServers({ accountId: account.accountId, region }, { maxResults: 1000, ...(nextToken ? { nextToken } : {}) });
          seen += page.items.length;
          nextToken = page.nextToken;
        } while (nextToken);
      }
    }
    const t3 = performance.now();
    expect(seen).toBe(4000);
    expect(new Set(sim.sourceServers().map((s) => s.sourceServerID)).size).toBe(4000);
    // A figure, not an assertion (tests never assert on timings).
    process.stdout.write(`[bench] 4,000-server fleet (${fleet.accounts.length} accounts x 2 regions): generate ${(t1 - t0).toFixed(0)} ms, `
      + `start ${(t2 - t1).toFixed(0)} ms, DescribeSourceServers of every page ${(t3 - t2).toFixed(0)} ms\n`);
  });
});
