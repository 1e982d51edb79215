/** `npm run sim -- --generate N`: a generated fleet, every protocol on the printed URL. */
import { describe, it, expect, afterAll } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DescribeSourceServersCommand, DrsClient } from '@aws-sdk/client-drs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

const root = resolve(process.cwd());
const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const cli = join(root, 'packages', 'drs-simulator', 'src', 'cli.ts');
const children: ChildProcessWithoutNullStreams[] = [];

function run(args: string[]) {
  const child = spawn(process.execPath, [tsx, cli, ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const exitCode = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  // A CLI that does not exit fails this test in seconds (and is killed), never hangs the suite.
  const exited = (timeoutMs = 15_000): Promise<number | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the CLI did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
      }, timeoutMs);
    });
    return Promise.race([exitCode, timeout]).finally(() => clearTimeout(timer));
  };
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

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('npm run sim (cli.ts) with every protocol', () => {
  it('generates a fleet, prints the endpoint variables, the hub key and the roles, and serves STS and DRS on the one URL', async () => {
    const sim = run(['--port', '0', '--generate', '600', '--accounts', '3', '--seed', '4']);
    await sim.waitFor('the endpoint', (out) => out.includes('AWS_ENDPOINT_URL_STS='));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(sim.out())?.[1] ?? '';
    for (const service of ['DRS', 'EC2', 'SSM', 'STS']) expect(sim.out()).toContain(`AWS_ENDPOINT_URL_${service}=${url}`);
    expect(sim.out()).toContain('600 source servers');
    const key = /access key of (\d{12}): (AKIA[A-Z2-7]{16})/.exec(sim.out());
    const role = /roles for sts assume-role: (arn:aws:iam::\d{12}:role\/[\w+=.@-]+)/.exec(sim.out())?.[1] ?? '';
    expect(key).not.toBeNull();
    expect(role).not.toBe('');

    const credentials = { accessKeyId: key?.[2] ?? '', secretAccessKey: 'x' };
    const sts = new STSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      const { Credentials, AssumedRoleUser } = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'cli-test' }));
      const spokeAccount = role.split(':')[4] ?? '';
      expect(AssumedRoleUser?.Arn).toContain(`arn:aws:sts::${spokeAccount}:assumed-role/`);
      const drs = new DrsClient({
        endpoint: url,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: { accessKeyId: Credentials?.AccessKeyId ?? '', secretAccessKey: Credentials?.SecretAccessKey ?? '', sessionToken: Credentials?.SessionToken ?? '' },
      });
      try {
        const { items } = await drs.send(new DescribeSourceServersCommand({ maxResults: 5 }));
        expect(items?.length).toBeGreaterThan(0);
        expect(items?.every((s) => s.arn?.includes(`:${spokeAccount}:source-server/`))).toBe(true);
      } finally {
        drs.destroy();
      }
    } finally {
      sts.destroy();
    }
    sim.child.kill('SIGINT');
    expect(await sim.exited()).toBe(0);
  });

  it('refuses --fleet together with --generate (exit code 2)', async () => {
    const sim = run(['--port', '0', '--generate', '10', '--fleet', 'fleet.yaml']);
    expect(await sim.exited()).toBe(2);
    expect(sim.err()).toContain('--fleet and --generate cannot be used together');
  });
});
