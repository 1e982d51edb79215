/**
 * SDK clients per account and region (TargetAccounts): the account Lifeboat runs in with the
 * function's own credentials, another account through the role the catalog answers
 * (resolveTargetAccess), assumed with its external id once and reused; STS and the catalog's
 * Lambda stubbed at the SDK.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DrsClient } from '@aws-sdk/client-drs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ApiRequest, ResolvedTargetAccess } from '@lifeboat/service-api';
import { NotFoundError, ServiceApiClient, systemCaller } from '@lifeboat/service-api';
import { stubClient } from '@lifeboat/testing';
import type { AccountClientConfig, AccountScope, TargetAccessResolver, TargetAccountsOptions } from '../src/index.js';
import { AccountAccessError, TargetAccounts, catalogTargetAccess } from '../src/index.js';

const HOME = '123456789012';
const SPOKE = '210987654321';
const ROLE = `arn:aws:iam::${SPOKE}:role/LifeboatDrsAccess`;
const EXTERNAL_ID = 'lifeboat-ext-42';
const CATALOG_FUNCTION = 'lifeboat-catalog-test-api';

const sts = stubClient(STSClient);
const lambda = stubClient(LambdaClient);
const savedEnv = { ...process.env };

beforeAll(() => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDHOMEFUNCTION', AWS_SECRET_ACCESS_KEY: 'home-secret', AWS_REGION: 'us-east-1', CATALOG_API_FUNCTION: CATALOG_FUNCTION });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
});

afterAll(() => {
  sts.restore();
  lambda.restore();
  process.env = savedEnv;
});

let now: Date;
let catalogCalls: string[];
let answers: Record<string, ResolvedTargetAccess>;
let assumed: number;

const catalog: TargetAccessResolver = async (accountId) => {
  catalogCalls.push(accountId);
  const answer = answers[accountId];
  if (!answer) throw new NotFoundError(`account ${accountId} is not a target account of the catalog`, 'accountId');
  return answer;
};

const drsClient = (config: AccountClientConfig) => new DrsClient(config);

/** What the execution service builds: DRS clients retrying 6 times. */
class DrsClients extends TargetAccounts {
  drsClientFor(scope: AccountScope): Promise<DrsClient> {
    return this.clientFor(scope, drsClient);
  }
}

function clients(options: Partial<TargetAccountsOptions> = {}): DrsClients {
  return new DrsClients({ service: 'execution', maxAttempts: 6, catalog, sts: new STSClient({ region: 'us-east-1' }), now: () => now, ...options });
}

async function credentialsOf(client: DrsClient) {
  const provider = client.config.credentials as unknown as () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  return provider();
}

async function errorOf(promise: Promise<unknown>): Promise<AccountAccessError> {
  try {
    await promise;
  } catch (error) {
    return error as AccountAccessError;
  }
  throw new Error('expected a failure');
}

beforeEach(() => {
  sts.reset();
  lambda.reset();
  now = new Date('2025-03-01T08:00:00.000Z');
  catalogCalls = [];
  assumed = 0;
  answers = { [SPOKE]: { accountId: SPOKE, regions: ['eu-west-1', 'us-west-2'], roleArn: ROLE, externalId: EXTERNAL_ID, isDefault: false } };
  sts.on(GetCallerIdentityCommand).resolves({ Account: HOME, Arn: `arn:aws:sts::${HOME}:assumed-role/lifeboat-execution-test-processManager/fn`, UserId: 'AROAEXAMPLE:fn' });
  sts.on(AssumeRoleCommand).callsFake(async () => {
    assumed++;
    return { Credentials: { AccessKeyId: `ASIASPOKE${assumed}`, SecretAccessKey: `spoke-secret-${assumed}`, SessionToken: `spoke-token-${assumed}`, Expiration: new Date(now.getTime() + 3600_000) } };
  });
});

describe('the account Lifeboat runs in', () => {
  it('uses the function\'s own credentials in the given region, with throttling retries, asking neither the catalog nor AssumeRole', async () => {
    const drs = clients();
    const east = await drs.drsClientFor({ accountId: HOME, region: 'us-east-1' });
    const west = await drs.drsClientFor({ accountId: HOME, region: 'eu-west-1' });
    expect(await east.config.region()).toBe('us-east-1');
    expect(await west.config.region()).toBe('eu-west-1');
    expect(await east.config.maxAttempts()).toBe(6);
    expect((await credentialsOf(east)).accessKeyId).toBe('AKIDHOMEFUNCTION');
    expect(await drs.drsClientFor({ accountId: HOME, region: 'us-east-1' })).toBe(east);
    expect(catalogCalls).toEqual([]);
    expect(sts.commandCalls(AssumeRoleCommand)).toEqual([]);
    // Who the function is: asked once.
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('takes the home account as given, without STS', async () => {
    const drs = clients({ homeAccountId: HOME });
    expect((await credentialsOf(await drs.drsClientFor({ accountId: HOME, region: 'us-east-1' }))).accessKeyId).toBe('AKIDHOMEFUNCTION');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toEqual([]);
  });

  it('asks GetCallerIdentity again after it failed', async () => {
    sts.on(GetCallerIdentityCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })).resolves({ Account: HOME });
    const drs = clients();
    await expect(drs.drsClientFor({ accountId: HOME, region: 'us-east-1' })).rejects.toThrow('Rate exceeded');
    await drs.drsClientFor({ accountId: HOME, region: 'us-east-1' });
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(2);
  });
});

describe('another account', () => {
  it('assumes the role the catalog answers, with its external id, once for all its regions', async () => {
    const drs = clients();
    const west = await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' });
    const usWest = await drs.drsClientFor({ accountId: SPOKE, region: 'us-west-2' });
    expect(await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' })).toBe(west);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleArn: ROLE, RoleSessionName: 'lifeboat-execution', DurationSeconds: 3600, ExternalId: EXTERNAL_ID }]);
    expect(catalogCalls).toEqual([SPOKE]);
    expect(await west.config.region()).toBe('eu-west-1');
    expect(await usWest.config.region()).toBe('us-west-2');
    expect(await west.config.maxAttempts()).toBe(6);
    expect(await credentialsOf(west)).toMatchObject({ accessKeyId: 'ASIASPOKE1', secretAccessKey: 'spoke-secret-1', sessionToken: 'spoke-token-1' });
    expect((await credentialsOf(usWest)).accessKeyId).toBe('ASIASPOKE1');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('shares one catalog call and one AssumeRole between concurrent callers', async () => {
    const drs = clients();
    const all = await Promise.all(['eu-west-1', 'eu-west-1', 'us-west-2', 'eu-west-1'].map((region) => drs.drsClientFor({ accountId: SPOKE, region })));
    expect(new Set(all).size).toBe(2);
    expect(catalogCalls).toEqual([SPOKE]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('renews the credentials shortly before they expire, and asks the catalog again after a few minutes', async () => {
    const drs = clients();
    const client = await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' });
    now = new Date(now.getTime() + 2 * 60_000);
    await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' });
    expect(catalogCalls).toEqual([SPOKE]);
    now = new Date(now.getTime() + 2 * 60_000);
    await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' });
    expect(catalogCalls).toEqual([SPOKE, SPOKE]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);

    // 51 minutes in: less than 10 minutes left, renewed (the client's provider gets the new ones).
    now = new Date(Date.parse('2025-03-01T08:51:00.000Z'));
    expect(await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' })).toBe(client);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    const provider = client.config.credentials as unknown as () => Promise<{ accessKeyId: string }>;
    expect((await provider()).accessKeyId).toMatch(/^ASIASPOKE/);
  });

  it('follows a role the catalog changed: a new client with the new role', async () => {
    const drs = clients({ accessTtlMs: 0 });
    const before = await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' });
    answers[SPOKE] = { accountId: SPOKE, regions: ['eu-west-1'], roleArn: `arn:aws:iam::${SPOKE}:role/LifeboatDrsAccess2`, isDefault: false };
    const after = await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' });
    expect(after).not.toBe(before);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'lifeboat-execution', DurationSeconds: 3600, ExternalId: EXTERNAL_ID },
      { RoleArn: `arn:aws:iam::${SPOKE}:role/LifeboatDrsAccess2`, RoleSessionName: 'lifeboat-execution', DurationSeconds: 3600 },
    ]);
  });

  it('forgets an account on request: the catalog and STS are asked again', async () => {
    const drs = clients();
    const before = await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' });
    drs.forget(SPOKE);
    expect(await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' })).not.toBe(before);
    expect(catalogCalls).toEqual([SPOKE, SPOKE]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });
});

describe('any SDK client, for any service', () => {
  const stsClient = (config: AccountClientConfig) => new STSClient(config);

  it('keeps one client per account, region, role and kind, all kinds sharing one AssumeRole, named after the service', async () => {
    const accounts = new TargetAccounts({ service: 'verification', catalog, sts: new STSClient({ region: 'us-east-1' }), now: () => now });
    const scope = { accountId: SPOKE, region: 'eu-west-1' };
    const drs = await accounts.clientFor(scope, drsClient);
    const other = await accounts.clientFor(scope, stsClient);
    expect(other).toBeInstanceOf(STSClient);
    expect(await accounts.clientFor(scope, drsClient)).toBe(drs);
    expect(await accounts.clientFor(scope, stsClient)).toBe(other);
    // Named kinds: the same client whatever function builds it.
    const named = await accounts.clientFor(scope, (config) => new DrsClient(config), 'drs');
    expect(await accounts.clientFor(scope, (config) => new DrsClient(config), 'drs')).toBe(named);
    expect(named).not.toBe(drs);
    // The SDK's default attempts unless told otherwise.
    expect(await drs.config.maxAttempts()).toBe(3);
    expect((await credentialsOf(drs)).accessKeyId).toBe('ASIASPOKE1');
    expect((await credentialsOf(other as unknown as DrsClient)).accessKeyId).toBe('ASIASPOKE1');
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleArn: ROLE, RoleSessionName: 'lifeboat-verification', DurationSeconds: 3600, ExternalId: EXTERNAL_ID }]);
  });

  it('answers the credentials and client settings of an account: the default chain at home, the role\'s elsewhere', async () => {
    const accounts = new TargetAccounts({ service: 'verification', catalog, homeAccountId: HOME, sts: new STSClient({ region: 'us-east-1' }), now: () => now });
    expect(await accounts.credentialsFor(HOME)).toBeUndefined();
    expect(await accounts.configFor({ accountId: HOME, region: 'eu-west-1' })).toEqual({ region: 'eu-west-1', maxAttempts: 3 });
    const spoke = await accounts.configFor({ accountId: SPOKE, region: 'us-west-2' });
    expect(spoke).toMatchObject({ region: 'us-west-2', maxAttempts: 3 });
    expect(await spoke.credentials?.()).toMatchObject({ accessKeyId: 'ASIASPOKE1', sessionToken: 'spoke-token-1' });
    expect((await (await accounts.credentialsFor(SPOKE))?.())?.accessKeyId).toBe('ASIASPOKE1');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    await expect(accounts.credentialsFor('12')).rejects.toMatchObject({ code: 'INVALID_SCOPE' });
  });

  it('destroys the clients of a forgotten account', async () => {
    const accounts = clients();
    const client = await accounts.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' });
    let destroyed = 0;
    const destroy = client.destroy.bind(client);
    client.destroy = () => {
      destroyed++;
      destroy();
    };
    accounts.forget(SPOKE);
    expect(destroyed).toBe(1);
  });

  it('needs to know which service it works for', () => {
    expect(() => new TargetAccounts({ service: '' })).toThrow('service must be a Lifeboat service name');
  });
});

describe('errors', () => {
  it('an account the catalog does not know is a clear error, asked again next time', async () => {
    const drs = clients();
    const error = await errorOf(drs.drsClientFor({ accountId: '999988887777', region: 'us-east-1' }));
    expect(error).toBeInstanceOf(AccountAccessError);
    expect(error).toMatchObject({ code: 'UNKNOWN_ACCOUNT', accountId: '999988887777', retryable: false });
    expect(error.message).toBe('account 999988887777 is not a target account of the catalog: an Admin adds it (addTargetAccount) with the role Lifeboat assumes there');
    answers['999988887777'] = { accountId: '999988887777', regions: ['us-east-1'], roleArn: 'arn:aws:iam::999988887777:role/LifeboatDrsAccess', isDefault: false };
    await drs.drsClientFor({ accountId: '999988887777', region: 'us-east-1' });
    expect(catalogCalls).toEqual(['999988887777', '999988887777']);
  });

  it('a refused role is a clear error without the external id, and is tried again next time', async () => {
    sts.on(AssumeRoleCommand).rejectsOnce(
      Object.assign(new Error(`User: arn:aws:sts::${HOME}:assumed-role/x/fn is not authorized to perform: sts:AssumeRole on resource: ${ROLE} (external id ${EXTERNAL_ID})`), { name: 'AccessDenied', $fault: 'client' }),
    );
    const drs = clients();
    const error = await errorOf(drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' }));
    expect(error).toMatchObject({ code: 'ASSUME_ROLE_FAILED', accountId: SPOKE, retryable: false });
    expect(error.message).toMatch(new RegExp(`^cannot assume ${ROLE} for account ${SPOKE}: AccessDenied: User: .* not authorized`));
    expect(error.message).not.toContain(EXTERNAL_ID);
    expect(error.cause).toBeUndefined();
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAAGAIN', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now.getTime() + 3600_000) } });
    expect((await credentialsOf(await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' }))).accessKeyId).toBe('ASIAAGAIN');
  });

  it('a throttled AssumeRole is retryable', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $retryable: { throttling: true } }));
    expect(await errorOf(clients().drsClientFor({ accountId: SPOKE, region: 'eu-west-1' }))).toMatchObject({ code: 'ASSUME_ROLE_FAILED', retryable: true });
  });

  it('refuses a catalog answer without a role of that account, and a bad scope', async () => {
    answers[SPOKE] = { accountId: SPOKE, regions: ['eu-west-1'], isDefault: true };
    const drs = clients({ accessTtlMs: 0 });
    expect(await errorOf(drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' }))).toMatchObject({ code: 'NO_ROLE', accountId: SPOKE });
    answers[SPOKE] = { accountId: SPOKE, regions: ['eu-west-1'], roleArn: 'arn:aws:iam::111122223333:role/Other', isDefault: false };
    expect((await errorOf(drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' }))).message).toBe(`the catalog answers role arn:aws:iam::111122223333:role/Other for account ${SPOKE}: not a role of that account`);
    expect(await errorOf(drs.drsClientFor({ accountId: '12', region: 'eu-west-1' }))).toMatchObject({ code: 'INVALID_SCOPE' });
    expect(await errorOf(drs.drsClientFor({ accountId: SPOKE, region: 'mars' }))).toMatchObject({ code: 'INVALID_SCOPE' });
    expect(sts.commandCalls(AssumeRoleCommand)).toEqual([]);
  });

  it('a failing catalog is its own error, not kept', async () => {
    let fail = true;
    const drs = clients({
      catalog: async (accountId) => {
        if (fail) throw new Error('lifeboat-catalog-test-api failed: Unhandled');
        return catalog(accountId);
      },
    });
    await expect(drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' })).rejects.toThrow('lifeboat-catalog-test-api failed: Unhandled');
    fail = false;
    await drs.drsClientFor({ accountId: SPOKE, region: 'eu-west-1' });
  });
});

describe('the catalog through its api function', () => {
  it('calls resolveTargetAccess of CATALOG_API_FUNCTION as the given service', async () => {
    const answer: ResolvedTargetAccess = { accountId: SPOKE, regions: ['eu-west-1'], roleArn: ROLE, externalId: EXTERNAL_ID, isDefault: false };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify({ ok: true, result: answer })) as never });
    expect(await catalogTargetAccess('execution')(SPOKE)).toEqual(answer);
    const invoke = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(invoke).toMatchObject({ FunctionName: CATALOG_FUNCTION, InvocationType: 'RequestResponse' });
    const request = JSON.parse(new TextDecoder().decode(invoke?.Payload as Uint8Array)) as ApiRequest;
    expect(request).toEqual({ operation: 'resolveTargetAccess', input: { accountId: SPOKE }, caller: systemCaller('execution') });
  });

  it('turns the catalog\'s NOT_FOUND into UNKNOWN_ACCOUNT', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: new TextEncoder().encode(JSON.stringify({ ok: false, error: { code: 'NOT_FOUND', message: 'account 999988887777 is not a target account of the catalog', field: 'accountId' } })) as never,
    });
    const drs = clients({ catalog: catalogTargetAccess('execution', new ServiceApiClient(CATALOG_FUNCTION, new LambdaClient({ region: 'us-east-1' }))) });
    expect(await errorOf(drs.drsClientFor({ accountId: '999988887777', region: 'us-east-1' }))).toMatchObject({ code: 'UNKNOWN_ACCOUNT' });
  });
});
