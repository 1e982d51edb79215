/**
 * verifyServer in the account the server was recovered into: DRS, EC2 and SSM clients of the
 * launch's account and region, through @lifeboat/target-accounts (the catalog's role for a spoke
 * account, the function's own credentials at home). The SDK clients are stubbed at `send`; each
 * call is checked for the client it went through.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DescribeJobsCommand, DescribeRecoveryInstancesCommand, DrsClient } from '@aws-sdk/client-drs';
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { DomainEvent, EventPublisher } from '@lifeboat/events';
import type { ResolvedTargetAccess } from '@lifeboat/service-api';
import { NotFoundError } from '@lifeboat/service-api';
import { TargetAccounts } from '@lifeboat/target-accounts';
import { lambdaContext, stubClient } from '@lifeboat/testing';
import { InMemoryJobSnapshots } from '../../src/adapters/in-memory-job-snapshots.js';
import type { VerifyServerDependencies, verifyLaunch as VerifyLaunch } from '../../src/handlers/verify-server.js';
import { JobLaunchActionsReader } from '../../src/job-launch-actions.js';
import { systemClock } from '../../src/verify.js';
import { ACCOUNT_ID as HOME, JOB_ID, SOURCE_SERVER_ID, serverLaunched } from '../support/events.js';

const SPOKE = '210987654321';
const SPOKE_REGION = 'eu-west-1';
const ROLE = `arn:aws:iam::${SPOKE}:role/LifeboatDrsAccess`;
const EXTERNAL_ID = 'lifeboat-ext-42';
const INSTANCE = 'i-0123456789abcdef0';

const sts = stubClient(STSClient);
const drs = stubClient(DrsClient);
const ec2 = stubClient(EC2Client);
const ssm = stubClient(SSMClient);
const stubs = { drs, ec2, ssm };
const savedEnv = { ...process.env };

let verifyLaunch: typeof VerifyLaunch;
let catalogCalls: string[];
let published: DomainEvent[];

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDHOMEVERIFY', AWS_SECRET_ACCESS_KEY: 'home-secret', AWS_REGION: 'us-east-1', VERIFICATION_IDEMPOTENCY_TABLE: 'lifeboat-verification-idempotency-test' });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  ({ verifyLaunch } = await import('../../src/handlers/verify-server.js'));
});

afterAll(() => {
  for (const stub of [sts, drs, ec2, ssm]) stub.restore();
  process.env = savedEnv;
});

beforeEach(() => {
  for (const stub of [sts, drs, ec2, ssm]) stub.reset();
  catalogCalls = [];
  published = [];
  sts.on(GetCallerIdentityCommand).resolves({ Account: HOME });
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIASPOKEVERIFY', SecretAccessKey: 'spoke-secret', SessionToken: 'spoke-token', Expiration: new Date(Date.now() + 3600_000) } });
  // A healthy recovered instance, wherever it is asked about.
  drs.on(DescribeRecoveryInstancesCommand).resolves({ items: [{ recoveryInstanceID: INSTANCE, ec2InstanceID: INSTANCE, sourceServerID: SOURCE_SERVER_ID, jobID: JOB_ID }] });
  drs.on(DescribeJobsCommand).resolves({ items: [{ jobID: JOB_ID, participatingServers: [{ sourceServerID: SOURCE_SERVER_ID, launchStatus: 'LAUNCHED' }] }] });
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: INSTANCE, State: { Name: 'running' }, PrivateIpAddress: '10.0.0.5' }] }] });
  ec2.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [{ InstanceId: INSTANCE, SystemStatus: { Status: 'ok' }, InstanceStatus: { Status: 'ok' } }] });
  ssm.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: INSTANCE, PingStatus: 'Online' }] });
});

/** One container's snapshots of the jobs (a new container for each verification unless a test shares one). */
function dependencies(jobs = new JobLaunchActionsReader(new InMemoryJobSnapshots(), systemClock)): Partial<VerifyServerDependencies> {
  const accounts = new TargetAccounts({
    service: 'verification',
    sts: new STSClient({ region: 'us-east-1' }),
    catalog: async (accountId): Promise<ResolvedTargetAccess> => {
      catalogCalls.push(accountId);
      if (accountId !== SPOKE) throw new NotFoundError(`account ${accountId} is not a target account of the catalog`, 'accountId');
      return { accountId: SPOKE, regions: [SPOKE_REGION], roleArn: ROLE, externalId: EXTERNAL_ID, isDefault: false };
    },
  });
  return {
    accounts: () => accounts,
    jobLaunchActions: () => jobs,
    contexts: () => ({ get: async () => undefined, save: async () => undefined }),
    settings: () => ({ pollMs: 10, budgetMs: 60_000, checks: { postLaunchActionsTimeoutMs: 60_000, probeTimeoutMs: 5_000 } }),
    publisher: () => ({ publish: async (events: DomainEvent[]) => { published.push(...events); } }) as unknown as EventPublisher,
    clock: { now: () => Date.now(), sleep: async () => undefined },
  };
}

async function verify(event: ReturnType<typeof serverLaunched>, jobs?: JobLaunchActionsReader): Promise<void> {
  const { defaultDependencies } = await import('../../src/handlers/verify-server.js');
  await verifyLaunch({ ...defaultDependencies, ...dependencies(jobs) }, event, lambdaContext('lifeboat-verification-test-verifyServer'));
}

/** Region and access key of the client each DRS, EC2 and SSM call went through. */
async function clientsCalled(): Promise<{ service: string; region: string; accessKeyId: string }[]> {
  const seen = [];
  for (const [service, stub] of Object.entries(stubs)) {
    const calls = (stub as unknown as { send: { getCalls(): { thisValue: DrsClient }[] } }).send.getCalls();
    for (const { thisValue: client } of calls) {
      const credentials = client.config.credentials as unknown as () => Promise<{ accessKeyId: string }>;
      seen.push({ service, region: await client.config.region(), accessKeyId: (await credentials()).accessKeyId });
    }
  }
  return seen;
}

describe('verifyServer across accounts', () => {
  it('verifies a server launched in a spoke account with DRS, EC2 and SSM clients of that account and region', async () => {
    await verify(serverLaunched({ accountId: SPOKE, region: SPOKE_REGION }));

    expect(published.map((e) => e.type)).toEqual(['ServerVerified']);
    expect(published[0]?.data).toMatchObject({ accountId: SPOKE, region: SPOKE_REGION, ec2InstanceId: INSTANCE });
    expect(catalogCalls).toEqual([SPOKE]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'lifeboat-verification', DurationSeconds: 3600, ExternalId: EXTERNAL_ID },
    ]);
    const called = await clientsCalled();
    expect(new Set(called.map((c) => c.service))).toEqual(new Set(['drs', 'ec2', 'ssm']));
    for (const call of called) expect(call).toMatchObject({ region: SPOKE_REGION, accessKeyId: 'ASIASPOKEVERIFY' });
  });

  it('verifies a server launched in the account it runs in with its own credentials, asking neither the catalog nor STS for a role', async () => {
    await verify(serverLaunched({ accountId: HOME, region: 'us-west-2' }));

    expect(published.map((e) => e.type)).toEqual(['ServerVerified']);
    expect(catalogCalls).toEqual([]);
    expect(sts.commandCalls(AssumeRoleCommand)).toEqual([]);
    const called = await clientsCalled();
    expect(called.length).toBeGreaterThanOrEqual(3);
    for (const call of called) expect(call).toMatchObject({ region: 'us-west-2', accessKeyId: 'AKIDHOMEVERIFY' });
  });

  it('a launch carrying its EC2 instance is verified without DescribeRecoveryInstances', async () => {
    // given a ServerLaunched whose execution learned the EC2 instance at launch
    await verify(serverLaunched({ accountId: HOME, region: 'us-west-2', recoveryInstanceId: INSTANCE, ec2InstanceId: INSTANCE }));

    // then DRS is asked only for the post-launch actions, and the verdict names the instance
    expect(published.map((e) => e.type)).toEqual(['ServerVerified']);
    expect(published[0]?.data).toMatchObject({ recoveryInstanceId: INSTANCE, ec2InstanceId: INSTANCE });
    expect(drs.commandCalls(DescribeRecoveryInstancesCommand)).toEqual([]);
    expect(drs.commandCalls(DescribeJobsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.InstanceIds)).toContainEqual([INSTANCE]);
  });

  it('a launch without its EC2 instance finds it through DescribeRecoveryInstances, by its recovery instance', async () => {
    await verify(serverLaunched({ accountId: HOME, region: 'us-west-2', recoveryInstanceId: INSTANCE }));

    expect(published.map((e) => e.type)).toEqual(['ServerVerified']);
    expect(published[0]?.data).toMatchObject({ ec2InstanceId: INSTANCE });
    expect(drs.commandCalls(DescribeRecoveryInstancesCommand).map((c) => c.args[0].input.filters)).toEqual([{ recoveryInstanceIDs: [INSTANCE] }]);
  });

  it('the servers of one job in one account share its DescribeJobs; the same job id in another account is read there', async () => {
    // given two servers of one job in the home account, verified by one process (as locally), and a job with that id in the spoke
    const jobs = new JobLaunchActionsReader(new InMemoryJobSnapshots(), systemClock);
    drs.on(DescribeJobsCommand).resolves({ items: [{ jobID: JOB_ID, participatingServers: [{ sourceServerID: SOURCE_SERVER_ID, launchStatus: 'LAUNCHED' }, { sourceServerID: 's-0000000000000000b', launchStatus: 'LAUNCHED' }] }] });

    // when they are verified at once, then the spoke's
    await Promise.all([
      verify(serverLaunched({ accountId: HOME, region: 'us-west-2', ec2InstanceId: INSTANCE }), jobs),
      verify(serverLaunched({ accountId: HOME, region: 'us-west-2', sourceServerId: 's-0000000000000000b', ec2InstanceId: INSTANCE }), jobs),
    ]);
    await verify(serverLaunched({ accountId: SPOKE, region: SPOKE_REGION, ec2InstanceId: INSTANCE }), jobs);

    // then one DescribeJobs at home and one in the spoke, each through its account's client
    expect(published.map((e) => e.type)).toEqual(['ServerVerified', 'ServerVerified', 'ServerVerified']);
    const describeJobs = drs.commandCalls(DescribeJobsCommand);
    expect(describeJobs.map((c) => c.args[0].input)).toEqual([{ filters: { jobIDs: [JOB_ID] } }, { filters: { jobIDs: [JOB_ID] } }]);
    const regions = await Promise.all(describeJobs.map((c) => (c as unknown as { thisValue: DrsClient }).thisValue.config.region()));
    expect(regions).toEqual(['us-west-2', SPOKE_REGION]);
  });

  it('a launch in an account the catalog does not know is an error (delivered again), not a verdict', async () => {
    await expect(verify(serverLaunched({ accountId: '999988887777', region: SPOKE_REGION }))).rejects.toMatchObject({ name: 'AccountAccessError', code: 'UNKNOWN_ACCOUNT' });
    expect(published).toEqual([]);
  });
});
