import { describe, it, expect, afterAll } from '@jest/globals';
import { killClis, runCli as run } from './support-cli.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeJobsCommand, DescribeSourceServersCommand, DrsClient, StartRecoveryCommand } from '@aws-sdk/client-drs';

let dir: string | undefined;

afterAll(async () => {
  killClis();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('npm run sim (cli.ts)', () => {
  it('serves a fleet file, prints the endpoint and an aws CLI example, then events as JSON lines', async () => {
    dir = await mkdtemp(join(tmpdir(), 'drs-sim-cli-'));
    const fleetFile = join(dir, 'fleet.yaml');
    await writeFile(fleetFile, [
      'accounts:',
      '  - accountId: "444455556666"',
      '    regions: [eu-west-1]',
      'servers:',
      '  - hostname: shop-db',
      '    os: LINUX',
      '    tags: { App: Shop }',
      '',
    ].join('\n'));
    const sim = run(['--port', '0', '--time-scale', '0.0005', '--seed', '3', '--fleet', fleetFile]);
    await sim.waitFor('the endpoint', (out) => /listening on http:\/\/127\.0\.0\.1:\d+/.test(out) && out.includes('describe-source-servers'));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sim.out())?.[1] ?? '';
    expect(sim.out()).toContain(`aws drs describe-source-servers --endpoint-url ${url} --region eu-west-1`);

    const drs = new DrsClient({ endpoint: url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      const { items } = await drs.send(new DescribeSourceServersCommand({}));
      expect(items?.map((s) => s.sourceProperties?.identificationHints?.hostname)).toEqual(['shop-db']);
      const { job } = await drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: [{ sourceServerID: items?.[0]?.sourceServerID ?? '' }] }));
      await sim.waitFor('the launch event', (out) => out.includes(job?.jobID ?? 'never'));
    } finally {
      drs.destroy();
    }
    const line = sim.out().split('\n').find((l) => l.startsWith('{') && l.includes('DRS Source Server Launch Result'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ source: 'aws.drs', account: '444455556666', region: 'eu-west-1', detail: { 'is-drill': 'TRUE' } });

    sim.child.kill('SIGINT');
    expect(await sim.exited()).toBe(0);
  });

  it('--state keeps the jobs across a restart of the CLI and says it resumed', async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'drs-sim-cli-'));
    const stateFile = join(dir, 'cli-state', 'state.json');
    const endpoint = (out: string) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
    const first = run(['--port', '0', '--time-scale', '0.0005', '--state', stateFile]);
    await first.waitFor('the endpoint', (out) => endpoint(out) !== '' && out.includes('state:'));
    expect(first.out()).toContain(`state: ${stateFile} (new)`);
    const drs = new DrsClient({ endpoint: endpoint(first.out()), region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'x' }, maxAttempts: 1 });
    const jobID = await (async () => {
      try {
        const { items } = await drs.send(new DescribeSourceServersCommand({}));
        const { job } = await drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: [{ sourceServerID: items?.[0]?.sourceServerID ?? '' }] }));
        return job?.jobID ?? '';
      } finally {
        drs.destroy();
      }
    })();
    first.child.kill('SIGINT');
    expect(await first.exited()).toBe(0);

    const second = run(['--port', '0', '--time-scale', '0.0005', '--state', stateFile]);
    await second.waitFor('the endpoint', (out) => endpoint(out) !== '' && out.includes('state:'));
    expect(second.out()).toMatch(/state: .*state\.json \(resumed: 1 jobs/);
    const again = new DrsClient({ endpoint: endpoint(second.out()), region: 'us-east-1', credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'x' }, maxAttempts: 1 });
    try {
      const { items } = await again.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] } }));
      expect(items?.map((j) => j.jobID)).toEqual([jobID]);
    } finally {
      again.destroy();
    }
    second.child.kill('SIGINT');
    expect(await second.exited()).toBe(0);
  });

  it('refuses an invalid fleet file with the problems and exit code 2', async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'drs-sim-cli-'));
    const fleetFile = join(dir, 'bad.json');
    await writeFile(fleetFile, JSON.stringify({ accounts: [], servers: [{ hostname: 'x', os: 'AMIGA' }] }));
    const sim = run(['--port', '0', '--fleet', fleetFile]);
    expect(await sim.exited()).toBe(2);
    expect(sim.err()).toContain('Invalid fleet');
    expect(sim.err()).toContain('os must be LINUX or WINDOWS');
  });
});
