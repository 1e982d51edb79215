import { describe, it, expect, afterAll } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeSourceServersCommand, DrsClient, StartRecoveryCommand } from '@aws-sdk/client-drs';

const root = resolve(process.cwd());
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const cli = join(root, 'packages', 'drs-simulator', 'src', 'cli.ts');

const children: ChildProcessWithoutNullStreams[] = [];
let dir: string | undefined;

function run(args: string[]) {
  const child = spawn(process.execPath, [tsx, cli, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const waitFor = async (what: string, test: (out: string) => boolean, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!test(stdout)) {
      if (child.exitCode !== null) throw new Error(`the CLI exited (${child.exitCode}) before ${what}: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout: ${stdout}; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, exited, waitFor, out: () => stdout, err: () => stderr };
}

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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
    expect(await sim.exited).toBe(0);
  });

  it('refuses an invalid fleet file with the problems and exit code 2', async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'drs-sim-cli-'));
    const fleetFile = join(dir, 'bad.json');
    await writeFile(fleetFile, JSON.stringify({ accounts: [], servers: [{ hostname: 'x', os: 'AMIGA' }] }));
    const sim = run(['--port', '0', '--fleet', fleetFile]);
    expect(await sim.exited).toBe(2);
    expect(sim.err()).toContain('Invalid fleet');
    expect(sim.err()).toContain('os must be LINUX or WINDOWS');
  });
});
