import { describe, it, expect } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { FleetError, ManualClock, demoFleet, parseFleet } from '../src/index.js';

describe('demoFleet', () => {
  it('has the 3-tier Orders app and a few other servers in 123456789012 / us-east-1', () => {
    const fleet = demoFleet();
    expect(fleet.accounts).toEqual([{ accountId: '123456789012', regions: ['us-east-1'] }]);
    const orders = fleet.servers.filter((s) => s.tags?.App === 'Orders');
    expect(orders.map((s) => [s.hostname, s.tags?.Tier])).toEqual([
      ['orders-db-1', 'Database'], ['orders-db-2', 'Database'],
      ['orders-app-1', 'App'], ['orders-app-2', 'App'],
      ['orders-web-1', 'Web'], ['orders-web-2', 'Web'],
    ]);
    expect(fleet.servers.some((s) => s.os === 'WINDOWS')).toBe(true);
    expect(fleet.servers.filter((s) => s.replicationState === 'STALLED')).toHaveLength(1);
    expect(fleet.servers.length).toBeGreaterThan(orders.length);
    expect(parseFleet(fleet)).toEqual(fleet);
  });
});

describe('parseFleet', () => {
  it('reads a YAML fleet, defaulting account and region to the first ones', () => {
    const fleet = parseFleet(parseYaml(`
accounts:
  - accountId: "111122223333"
    regions: [eu-west-1, eu-central-1]
    accessKeyIds: [AKIDPROD]
servers:
  - hostname: erp-1
    os: WINDOWS
    tags: { App: ERP }
  - hostname: erp-2
    os: LINUX
    region: eu-central-1
    replicationState: BACKLOG
    launchOutcome: FAIL
    sourceServerID: s-0123456789abcdef0
`));
    expect(fleet.servers).toEqual([
      { hostname: 'erp-1', os: 'WINDOWS', accountId: '111122223333', region: 'eu-west-1', tags: { App: 'ERP' } },
      { hostname: 'erp-2', os: 'LINUX', accountId: '111122223333', region: 'eu-central-1', replicationState: 'BACKLOG', launchOutcome: 'FAIL', sourceServerID: 's-0123456789abcdef0' },
    ]);
  });

  it('lists every problem of an invalid fleet', () => {
    let error: unknown;
    try {
      parseFleet({
        accounts: [{ accountId: '12', regions: [] }],
        servers: [{ hostname: '', os: 'BEOS', replicationState: 'FINE', sourceServerID: 'x' }],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FleetError);
    const problems = (error as FleetError).problems.join('\n');
    for (const needle of ['accountId', 'regions', 'hostname', 'os', 'replicationState', 'sourceServerID']) expect(problems).toContain(needle);
    expect(() => parseFleet('nope')).toThrow(FleetError);
  });
});

describe('parseFleet: roles, trusted accounts, SSM scripts, EC2 origin and faults', () => {
  it('reads them and reports every invalid one', () => {
    const fleet = parseFleet(parseYaml(`
accounts:
  - accountId: "111122223333"
    regions: [us-east-1, us-west-2]
    trustedAccountIds: ["444455556666"]
    roles:
      - { roleName: LifeboatDrsAccess, trustedAccountIds: ["444455556666"], externalId: lifeboat }
  - accountId: "444455556666"
    regions: [us-east-1]
servers:
  - hostname: web-1
    os: LINUX
    awsInstanceID: i-0123456789abcdef0
    originRegion: us-west-2
    ssm: { agentDelaySeconds: 45, commandStatus: Failed, stdout: "boom" }
faults:
  launchFailures: [{ tags: { Tier: Web }, rate: 0.5 }]
  replicationStalls: [{ hostnames: [web-1], afterSeconds: 60 }]
`));
    expect(fleet.accounts[0]).toEqual({
      accountId: '111122223333', regions: ['us-east-1', 'us-west-2'], trustedAccountIds: ['444455556666'],
      roles: [{ roleName: 'LifeboatDrsAccess', trustedAccountIds: ['444455556666'], externalId: 'lifeboat' }],
    });
    expect(fleet.servers[0]).toEqual({
      hostname: 'web-1', os: 'LINUX', accountId: '111122223333', region: 'us-east-1', awsInstanceID: 'i-0123456789abcdef0', originRegion: 'us-west-2',
      ssm: { agentDelaySeconds: 45, commandStatus: 'Failed', stdout: 'boom' },
    });
    expect(fleet.faults).toEqual({ launchFailures: [{ tags: { Tier: 'Web' }, rate: 0.5 }], replicationStalls: [{ hostnames: ['web-1'], afterSeconds: 60 }] });
    let error: unknown;
    try {
      parseFleet({
        accounts: [{ accountId: '111122223333', regions: ['us-east-1'], trustedAccountIds: ['x'], roles: [{ roleName: 'bad name!', trustedAccountIds: [] }] }],
        servers: [{ hostname: 'a', os: 'LINUX', originRegion: 'mars', ssm: { commandStatus: 'Maybe', colour: 'red' } }],
        faults: { slowLaunches: [{ hostnames: ['a'] }] },
      });
    } catch (e) {
      error = e;
    }
    const problems = (error as FleetError).problems.join('\n');
    for (const needle of ['trustedAccountIds', 'roleName', 'originRegion', 'ssm.commandStatus', 'ssm.colour', 'slowLaunches[0].factor']) expect(problems).toContain(needle);
  });
});

describe('ManualClock', () => {
  it('fires timers in due order only when advanced, including timers set by timers', () => {
    const clock = new ManualClock('2024-05-01T00:00:00Z');
    const fired: string[] = [];
    clock.setTimer(200, () => fired.push('b'));
    clock.setTimer(100, () => { fired.push('a'); clock.setTimer(50, () => fired.push('a2')); });
    const cancelled = clock.setTimer(120, () => fired.push('x'));
    cancelled.cancel();
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(200);
    expect(fired).toEqual(['a', 'a2', 'b']);
    expect(clock.now()).toBe(Date.parse('2024-05-01T00:00:00Z') + 299);
  });
});
