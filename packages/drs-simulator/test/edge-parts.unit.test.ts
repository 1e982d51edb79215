/** The edge's parts without HTTP: SigV4 scopes, query parameters and XML, accounts and sessions, fault counting, SSM timelines. */
import { describe, it, expect } from '@jest/globals';
import { AccountDirectory, parseCredentialScope, parseSigV4Authorization } from '../src/accounts.js';
import type { Fleet, FaultPlan } from '../src/fleet.js';
import type { SimClock } from '../src/protocols/common.js';
import { EdgeFaults } from '../src/protocols/faults.js';
import type { InstanceCatalog, InstanceView } from '../src/protocols/instances.js';
import { SsmService } from '../src/protocols/ssm.js';
import { QueryParams, el, elAttrs, itemSet, leaf, renderXml } from '../src/protocols/xml.js';

const fleet: Fleet = {
  accounts: [
    { accountId: '111111111111', regions: ['us-east-1'], accessKeyIds: ['AKIDHUB'] },
    { accountId: '222222222222', regions: ['us-east-1'], roles: [{ roleName: 'Spoke', trustedAccountIds: ['111111111111'], externalId: 'ext-1' }] },
  ],
  servers: [],
};

describe('SigV4 credential scope', () => {
  it('reads the access key, date, region and service of an Authorization header or X-Amz-Credential', () => {
    const header = 'AWS4-HMAC-SHA256 Credential=AKIDHUB/20250301/eu-west-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';
    expect(parseSigV4Authorization(header)).toEqual({ accessKeyId: 'AKIDHUB', date: '20250301', region: 'eu-west-1', service: 'ec2' });
    expect(parseCredentialScope('ASIAX/20250301/us-east-1/sts/aws4_request')).toMatchObject({ service: 'sts' });
    expect(parseSigV4Authorization('Bearer token')).toBeUndefined();
    expect(parseSigV4Authorization(undefined)).toBeUndefined();
  });
});

describe('query parameters and XML', () => {
  it('reads lists and EC2 filters in index order', () => {
    const params = new QueryParams(new URLSearchParams('Action=DescribeInstances&InstanceId.2=i-b&InstanceId.1=i-a&Filter.1.Name=tag:App&Filter.1.Value.2=y&Filter.1.Value.1=x&Filter.10.Name=instance-state-name&Filter.10.Value.1=running'));
    expect(params.list('InstanceId')).toEqual(['i-a', 'i-b']);
    expect(params.filters()).toEqual([{ name: 'tag:App', values: ['x', 'y'] }, { name: 'instance-state-name', values: ['running'] }]);
    expect(params.get('Action')).toBe('DescribeInstances');
  });

  it('renders escaped XML, leaving out undefined leaves and rendering empty sets', () => {
    const xml = renderXml(elAttrs('R', { xmlns: 'urn:x' }, leaf('a', 'x<y & "z"'), leaf('b', undefined), itemSet('s', [], () => []), el('c', leaf('n', 16))));
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<R xmlns="urn:x"><a>x&lt;y &amp; &quot;z&quot;</a><s/><c><n>16</n></c></R>');
  });
});

describe('AccountDirectory', () => {
  it('resolves listed keys, falls back to the first account, and refuses temporary keys it never issued', () => {
    const dir = new AccountDirectory(() => fleet);
    expect(dir.resolve('AKIDHUB', undefined)).toMatchObject({ ok: true, identity: { accountId: '111111111111' } });
    expect(dir.resolve('AKIDOTHER', undefined)).toMatchObject({ ok: true, identity: { accountId: '111111111111' } });
    expect(dir.resolve(undefined, undefined)).toMatchObject({ ok: true, identity: { arn: 'arn:aws:iam::111111111111:root' } });
    expect(dir.resolve('ASIANEVERISSUED0000', 'x')).toMatchObject({ ok: false, kind: 'unrecognizedKey' });
  });

  it('issues sessions bound to the role account that expire; checks trust and ExternalId', () => {
    let now = Date.parse('2025-03-01T00:00:00Z');
    const dir = new AccountDirectory(() => fleet, { now: () => now });
    const hub = dir.resolve('AKIDHUB', undefined);
    if (!hub.ok) throw new Error('hub');
    const role = 'arn:aws:iam::222222222222:role/Spoke';
    expect(dir.assumeRole(hub.identity, { roleArn: role, roleSessionName: 's1' })).toMatchObject({ ok: false, code: 'AccessDenied' });
    const granted = dir.assumeRole(hub.identity, { roleArn: role, roleSessionName: 's1', externalId: 'ext-1', durationSeconds: 900 });
    if (!granted.ok) throw new Error(granted.message);
    expect(granted.credentials.expiration.toISOString()).toBe('2025-03-01T00:15:00.000Z');
    const { accessKeyId, sessionToken } = granted.credentials;
    expect(dir.resolve(accessKeyId, sessionToken)).toMatchObject({ ok: true, identity: { accountId: '222222222222', session: { roleName: 'Spoke', sourceAccountId: '111111111111' } } });
    expect(dir.resolve(accessKeyId, 'other')).toMatchObject({ ok: false, kind: 'invalidToken' });
    const spoke = dir.resolve(accessKeyId, sessionToken);
    if (!spoke.ok) throw new Error('spoke');
    // The spoke session is not trusted by its own role.
    expect(dir.assumeRole(spoke.identity, { roleArn: role, roleSessionName: 's2', externalId: 'ext-1' })).toMatchObject({ ok: false, code: 'AccessDenied' });
    expect(dir.assumeRole(hub.identity, { roleArn: role, roleSessionName: 's3', externalId: 'ext-1' }, true)).toMatchObject({ ok: false, code: 'AccessDenied' });
    now += 900_000;
    expect(dir.resolve(accessKeyId, sessionToken)).toMatchObject({ ok: false, kind: 'expiredToken' });
    expect(dir.sessions()).toEqual([expect.objectContaining({ accessKeyId, accountId: '222222222222', expired: true })]);
  });
});

describe('EdgeFaults', () => {
  it('hits exactly `count` matching calls, then the rate; service-qualified names match one protocol', () => {
    let plan: FaultPlan = { throttling: { operations: ['ec2:DescribeInstances', 'StartRecovery'], count: 2, retryAfterSeconds: 4 } };
    const faults = new EdgeFaults(1, () => plan);
    expect(faults.decide('ssm', 'DescribeInstances')).toBeUndefined();
    expect(faults.decide('ec2', 'DescribeInstances')).toEqual({ kind: 'throttling', retryAfterSeconds: 4 });
    expect(faults.decide('drs', 'StartRecovery')).toEqual({ kind: 'throttling', retryAfterSeconds: 4 });
    expect(faults.decide('ec2', 'DescribeInstances')).toBeUndefined();
    plan = { internalErrors: { rate: 1 } };
    expect(faults.decide('sts', 'AssumeRole')).toEqual({ kind: 'internalError' });
    plan = { internalErrors: { rate: 0.5 } };
    faults.reset();
    const draws = Array.from({ length: 20 }, () => faults.decide('drs', 'DescribeJobs')?.kind ?? 'ok');
    expect(new Set(draws)).toEqual(new Set(['ok', 'internalError']));
    faults.reset();
    expect(Array.from({ length: 20 }, () => faults.decide('drs', 'DescribeJobs')?.kind ?? 'ok')).toEqual(draws);
    plan = { assumeRoleDenied: { roleArns: ['arn:aws:iam::222222222222:role/Spoke'] } };
    expect(faults.assumeRoleDenied('arn:aws:iam::222222222222:role/Spoke')).toBe(true);
    expect(faults.assumeRoleDenied('arn:aws:iam::222222222222:role/Other')).toBe(false);
  });
});

describe('SSM command timelines', () => {
  const base: Omit<InstanceView, 'instanceId' | 'agent' | 'ssm'> = {
    accountId: '111111111111', region: 'us-east-1', availabilityZone: 'us-east-1a', stateName: 'running', stateCode: 16, instanceType: 'm5.large',
    privateIpAddress: '10.0.0.1', privateDnsName: 'ip-10-0-0-1.ec2.internal', macAddress: '0e:00:00:00:00:01', launchTimeMs: 0, tags: {},
    platform: 'Linux', osFullString: 'Linux', hostname: 'h', sourceServerID: 's-00000000000000001', jobID: 'drsjob-00000000000000001',
    isDrill: true, subnetId: 'subnet-1', vpcId: 'vpc-1', imageId: 'ami-1', reservationId: 'r-1', networkInterfaceId: 'eni-1', coreCount: 2,
    statusCheck: 'ok',
  };
  const views: InstanceView[] = [
    { ...base, instanceId: 'i-00000000000000001', agent: { pingStatus: 'ConnectionLost' }, ssm: {} },
    { ...base, instanceId: 'i-00000000000000002', agent: { pingStatus: 'Online' }, ssm: { commandStatus: 'Cancelled' } },
  ];
  const catalog = { list: () => views } as unknown as InstanceCatalog;
  let sim = 1_000_000;
  const time: SimClock = { now: () => sim, simNow: () => sim, scale: () => 1 };
  const identity = { accountId: '111111111111', arn: 'arn:aws:iam::111111111111:user/x', userId: 'AIDA' };

  it('leaves a command to a lost agent Pending until its delivery timeout, then TimedOut (DeliveryTimedOut); a cancelled script ends Cancelled', () => {
    const ssm = new SsmService(catalog, time, 1);
    const sent = ssm.handle({ identity, region: 'us-east-1', operation: 'SendCommand', input: { DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-00000000000000001', 'i-00000000000000002'], TimeoutSeconds: 60, Parameters: { commands: ['true'] } } });
    const commandId = (sent.Command as { CommandId: string }).CommandId;
    const get = (instanceId: string) => ssm.handle({ identity, region: 'us-east-1', operation: 'GetCommandInvocation', input: { CommandId: commandId, InstanceId: instanceId } });
    sim += 30_000;
    expect(get('i-00000000000000001')).toMatchObject({ Status: 'Pending' });
    expect(get('i-00000000000000002')).toMatchObject({ Status: 'Cancelled', ResponseCode: -1 });
    sim += 31_000;
    expect(get('i-00000000000000001')).toMatchObject({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut', ExecutionStartDateTime: '' });
    const list = ssm.handle({ identity, region: 'us-east-1', operation: 'ListCommandInvocations', input: { CommandId: commandId } });
    expect((list.CommandInvocations as { Status: string }[]).map((i) => i.Status).sort()).toEqual(['Cancelled', 'TimedOut']);
  });
});
