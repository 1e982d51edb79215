/** `npm run sim -- --generate N`: a generated fleet, every protocol on the printed URL. */
import { describe, it, expect, afterAll } from '@jest/globals';
import { killClis, runCli as run } from './support-cli.js';
import { DescribeSourceServersCommand, DrsClient } from '@aws-sdk/client-drs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

afterAll(killClis);

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
