import { beforeEach, describe, expect, it } from '@jest/globals';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { stubClient } from '@lifeboat/testing';
import { AssumedRoleCredentials } from '../src/adapters/assumed-roles.js';

const sts = stubClient(STSClient);
const ROLE = 'arn:aws:iam::210987654321:role/LifeboatCatalog';
let now = new Date('2025-06-01T12:00:00.000Z');

function grant(expiresAt: string) {
  return { Credentials: { AccessKeyId: 'ASIAEXAMPLE', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(expiresAt) } };
}

beforeEach(() => {
  sts.reset();
  now = new Date('2025-06-01T12:00:00.000Z');
});

describe('AssumedRoleCredentials', () => {
  it('assumes the role with its external id, and caches the credentials until shortly before they expire', async () => {
    sts.on(AssumeRoleCommand).resolves(grant('2025-06-01T13:00:00.000Z'));
    const roles = new AssumedRoleCredentials(new STSClient({ region: 'us-east-1' }), { now: () => now });

    const first = await roles.credentialsFor(ROLE, 'lifeboat-42');
    now = new Date('2025-06-01T12:54:00.000Z');
    await roles.credentialsFor(ROLE, 'lifeboat-42');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({ RoleArn: ROLE, RoleSessionName: 'lifeboat-catalog', DurationSeconds: 3600, ExternalId: 'lifeboat-42' });
    expect(first).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token', expiration: new Date('2025-06-01T13:00:00.000Z') });

    // Less than five minutes left: renewed.
    now = new Date('2025-06-01T12:56:00.000Z');
    await roles.credentialsFor(ROLE, 'lifeboat-42');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('shares one AssumeRole between concurrent callers, and keeps roles (and external ids) apart', async () => {
    sts.on(AssumeRoleCommand).resolves(grant('2025-06-01T13:00:00.000Z'));
    const roles = new AssumedRoleCredentials(new STSClient({ region: 'us-east-1' }), { now: () => now });
    await Promise.all([roles.credentialsFor(ROLE), roles.credentialsFor(ROLE), roles.credentialsFor(ROLE, 'other')]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.ExternalId)).toEqual([undefined, 'other']);
  });

  it('does not cache a refusal', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(Object.assign(new Error('not authorized'), { name: 'AccessDenied' })).resolves(grant('2025-06-01T13:00:00.000Z'));
    const roles = new AssumedRoleCredentials(new STSClient({ region: 'us-east-1' }), { now: () => now });
    await expect(roles.credentialsFor(ROLE)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(roles.credentialsFor(ROLE)).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE' });
  });
});
