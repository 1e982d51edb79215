/**
 * STS over the query protocol with the unmodified STSClient: who a call acts as, AssumeRole into
 * the fleet's accounts (trust, ExternalId, denial), and calls of every protocol acting as the
 * assumed account.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import { AccessDeniedException, DescribeJobsCommand, DescribeSourceServersCommand, StartRecoveryCommand } from '@aws-sdk/client-drs';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import {
  HUB, HUB_KEY, PARTNER_EXTERNAL_ID, PARTNER_ROLE, SPOKE, SPOKE_ROLE, edgeTestBed, errorOf, hubCredentials, spokeCredentials,
  type AwsCredentials, type EdgeTestBed,
} from './edge-support.js';

describe('STS AssumeRole / GetCallerIdentity and cross-account calls (edge)', () => {
  let bed: EdgeTestBed;
  let wallNow = Date.now();

  beforeAll(async () => {
    bed = await edgeTestBed({ wallClock: () => wallNow });
  });
  afterAll(async () => {
    await bed.close();
  });

  async function assume(credentials: AwsCredentials, input: ConstructorParameters<typeof AssumeRoleCommand>[0]): Promise<AwsCredentials> {
    const out = await bed.clients(credentials).sts.send(new AssumeRoleCommand(input));
    const c = out.Credentials;
    return { accessKeyId: c?.AccessKeyId ?? '', secretAccessKey: c?.SecretAccessKey ?? '', sessionToken: c?.SessionToken ?? '' };
  }

  it('tells who calls: the account listing the access key, else the first account', async () => {
    const hub = await bed.clients(hubCredentials).sts.send(new GetCallerIdentityCommand({}));
    expect(hub).toMatchObject({ Account: HUB, Arn: `arn:aws:iam::${HUB}:user/${HUB_KEY}`, UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/) });
    const spoke = await bed.clients(spokeCredentials).sts.send(new GetCallerIdentityCommand({}));
    expect(spoke.Account).toBe(SPOKE);
    const stranger = await bed.clients({ accessKeyId: 'AKIDSOMEONEELSE', secretAccessKey: 'x' }).sts.send(new GetCallerIdentityCommand({}));
    expect(stranger.Account).toBe(HUB);
  });

  it('assumes a role the fleet trusts: temporary credentials bound to the role account', async () => {
    const out = await bed.clients(hubCredentials).sts.send(new AssumeRoleCommand({ RoleArn: SPOKE_ROLE, RoleSessionName: 'lifeboat-catalog', DurationSeconds: 900 }));
    expect(out.Credentials).toMatchObject({
      AccessKeyId: expect.stringMatching(/^ASIA[A-Z2-7]{16}$/),
      SecretAccessKey: expect.any(String),
      SessionToken: expect.any(String),
    });
    expect(out.Credentials?.Expiration?.getTime()).toBe(Math.floor(wallNow / 1000) * 1000 + 900_000);
    expect(out.AssumedRoleUser).toEqual({
      Arn: `arn:aws:sts::${SPOKE}:assumed-role/LifeboatDrsAccess/lifeboat-catalog`,
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:lifeboat-catalog$/),
    });
    const assumed = { accessKeyId: out.Credentials?.AccessKeyId ?? '', secretAccessKey: out.Credentials?.SecretAccessKey ?? '', sessionToken: out.Credentials?.SessionToken ?? '' };
    const me = await bed.clients(assumed).sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: SPOKE, Arn: out.AssumedRoleUser?.Arn, UserId: out.AssumedRoleUser?.AssumedRoleId });
  });

  it('calls of every protocol signed with assumed-role credentials act as the role account', async () => {
    const assumed = await assume(hubCredentials, { RoleArn: SPOKE_ROLE, RoleSessionName: 'lifeboat-execution' });
    const { drs, ec2, ssm } = bed.clients(assumed);
    const { items } = await drs.send(new DescribeSourceServersCommand({}));
    expect(items?.map((s) => s.sourceProperties?.identificationHints?.hostname)).toEqual(['spoke-db-1']);
    expect(items?.[0]?.arn).toContain(`:${SPOKE}:source-server/`);
    const job = await bed.launch(drs, ['spoke-db-1']);
    expect(job.arn).toContain(`:${SPOKE}:job/`);
    bed.clock.advance(300_000);
    const reservations = (await ec2.send(new DescribeInstancesCommand({}))).Reservations ?? [];
    expect(reservations.map((r) => r.OwnerId)).toEqual([SPOKE]);
    const agents = (await ssm.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList ?? [];
    expect(agents.map((a) => a.InstanceId)).toEqual([reservations[0]?.Instances?.[0]?.InstanceId]);
    // The hub's own view is untouched.
    const hubJobs = (await bed.clients(hubCredentials).drs.send(new DescribeJobsCommand({}))).items ?? [];
    expect(hubJobs.map((j) => j.jobID)).not.toContain(job.jobID);

    const calls = bed.handle.edge.callLog.filter((c) => c.accessKeyId === assumed.accessKeyId);
    expect(new Set(calls.map((c) => c.service))).toEqual(new Set(['drs', 'ec2', 'ssm']));
    expect(calls.every((c) => c.accountId === SPOKE && c.principal === `arn:aws:sts::${SPOKE}:assumed-role/LifeboatDrsAccess/lifeboat-execution`)).toBe(true);
    const start = bed.handle.simulator.callLog.find((c) => c.operation === 'StartRecovery' && c.jobID === job.jobID);
    expect(start).toMatchObject({ accountId: SPOKE, accessKeyId: assumed.accessKeyId });
  });

  it('refuses AccessDenied when the role is unknown, does not trust the caller, or wants another ExternalId', async () => {
    const sts = bed.clients(hubCredentials).sts;
    const refused = async (input: ConstructorParameters<typeof AssumeRoleCommand>[0], as = sts) => {
      const error = await errorOf(as.send(new AssumeRoleCommand(input)));
      expect(error).toBeInstanceOf(STSServiceException);
      expect(error.name).toBe('AccessDenied');
      expect(error.$metadata?.httpStatusCode).toBe(403);
      return error.message;
    };
    expect(await refused({ RoleArn: `arn:aws:iam::${SPOKE}:role/NoSuchRole`, RoleSessionName: 's1' }))
      .toBe(`User: arn:aws:iam::${HUB}:user/${HUB_KEY} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${SPOKE}:role/NoSuchRole`);
    await refused({ RoleArn: 'arn:aws:iam::999988887777:role/LifeboatDrsAccess', RoleSessionName: 's1' });
    // The spoke's own keys are not trusted by its role (only the hub is).
    await refused({ RoleArn: SPOKE_ROLE, RoleSessionName: 's1' }, bed.clients(spokeCredentials).sts);
    await refused({ RoleArn: PARTNER_ROLE, RoleSessionName: 's1' });
    await refused({ RoleArn: PARTNER_ROLE, RoleSessionName: 's1', ExternalId: 'wrong-id' });
    const partner = await assume(hubCredentials, { RoleArn: PARTNER_ROLE, RoleSessionName: 's1', ExternalId: PARTNER_EXTERNAL_ID });
    expect((await bed.clients(partner).sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${SPOKE}:assumed-role/PartnerAudit/s1`);
  });

  it('denies AssumeRole on request of the fault plan, and logs it as a fault', async () => {
    bed.handle.setFaults({ assumeRoleDenied: { roleArns: [SPOKE_ROLE] } });
    const denied = await errorOf(bed.clients(hubCredentials).sts.send(new AssumeRoleCommand({ RoleArn: SPOKE_ROLE, RoleSessionName: 'denied' })));
    expect(denied.name).toBe('AccessDenied');
    await expect(assume(hubCredentials, { RoleArn: PARTNER_ROLE, RoleSessionName: 'other', ExternalId: PARTNER_EXTERNAL_ID })).resolves.toMatchObject({ accessKeyId: expect.stringMatching(/^ASIA/) });
    bed.handle.setFaults({ assumeRoleDenied: { all: true } });
    await expect(assume(hubCredentials, { RoleArn: PARTNER_ROLE, RoleSessionName: 'other', ExternalId: PARTNER_EXTERNAL_ID })).rejects.toThrow('not authorized');
    bed.handle.setFaults({});
    await expect(assume(hubCredentials, { RoleArn: SPOKE_ROLE, RoleSessionName: 'again' })).resolves.toBeDefined();
    const faults = bed.handle.edge.callLog.filter((c) => c.fault === 'assumeRoleDenied');
    expect(faults.map((c) => [c.operation, c.errorType, c.statusCode])).toEqual([['AssumeRole', 'AccessDenied', 403], ['AssumeRole', 'AccessDenied', 403]]);
  });

  it('validates the request as STS does (ValidationError)', async () => {
    const sts = bed.clients(hubCredentials).sts;
    const invalid = async (input: ConstructorParameters<typeof AssumeRoleCommand>[0], as = sts) => {
      const error = await errorOf(as.send(new AssumeRoleCommand(input)));
      expect(error.name).toBe('ValidationError');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      return error.message;
    };
    expect(await invalid({ RoleArn: SPOKE_ROLE, RoleSessionName: 'x' })).toContain("at 'roleSessionName'");
    expect(await invalid({ RoleArn: SPOKE_ROLE, RoleSessionName: 'ok-name', DurationSeconds: 60 })).toContain("at 'durationSeconds'");
    expect(await invalid({ RoleArn: SPOKE_ROLE, RoleSessionName: 'ok-name', DurationSeconds: 7200 })).toBe('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    const chained = await assume(hubCredentials, { RoleArn: SPOKE_ROLE, RoleSessionName: 'first-hop' });
    const second = await errorOf(bed.clients(chained).sts.send(new AssumeRoleCommand({ RoleArn: PARTNER_ROLE, RoleSessionName: 'second-hop', DurationSeconds: 3601 })));
    expect(second.name).toBe('ValidationError');
  });

  it('refuses expired, forged and unknown temporary credentials in each protocol', async () => {
    const assumed = await assume(hubCredentials, { RoleArn: SPOKE_ROLE, RoleSessionName: 'short', DurationSeconds: 900 });
    const forged = bed.clients({ ...assumed, sessionToken: 'not-the-token' });
    const badToken = await errorOf(forged.sts.send(new GetCallerIdentityCommand({})));
    expect(badToken.name).toBe('InvalidClientTokenId');
    expect(badToken.$metadata?.httpStatusCode).toBe(403);
    await expect(forged.drs.send(new DescribeJobsCommand({}))).rejects.toBeInstanceOf(AccessDeniedException);

    const unknown = bed.clients({ accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x', sessionToken: 't' });
    expect((await errorOf(unknown.ec2.send(new DescribeInstancesCommand({})))).name).toBe('AuthFailure');
    expect((await errorOf(unknown.ssm.send(new DescribeInstanceInformationCommand({})))).name).toBe('UnrecognizedClientException');

    wallNow += 901_000;
    const expired = bed.clients(assumed);
    expect((await errorOf(expired.sts.send(new GetCallerIdentityCommand({})))).name).toBe('ExpiredTokenException');
    const drsExpired = await errorOf(expired.drs.send(new DescribeJobsCommand({})));
    expect(drsExpired).toBeInstanceOf(AccessDeniedException);
    expect(drsExpired.message).toContain('expired');
    expect((await errorOf(expired.ec2.send(new DescribeInstancesCommand({})))).name).toBe('RequestExpired');
    expect((await errorOf(expired.ssm.send(new DescribeInstanceInformationCommand({})))).name).toBe('ExpiredTokenException');
    await expect(expired.drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: 's-00000000000000000' }] }))).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('answers Throttling (400) from the fault plan', async () => {
    bed.handle.setFaults({ throttling: { operations: ['sts:AssumeRole'], count: 1 } });
    const error = await errorOf(bed.clients(hubCredentials).sts.send(new AssumeRoleCommand({ RoleArn: SPOKE_ROLE, RoleSessionName: 'busy' })));
    expect(error.name).toBe('Throttling');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    bed.handle.setFaults({});
  });
});
