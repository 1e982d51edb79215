/**
 * TargetAccounts against the DRS simulator (in process, DRS and STS on one URL through the SDK's
 * AWS_ENDPOINT_URL_DRS / AWS_ENDPOINT_URL_STS): the hub account with the function's own keys, a
 * spoke account through its role, assumed with the external id the catalog answers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DescribeSourceServersCommand, DrsClient } from '@aws-sdk/client-drs';
import { NotFoundError } from '@lifeboat/service-api';
import type { ResolvedTargetAccess } from '@lifeboat/service-api';
import { startDrsSimulator } from '@lifeboat/drs-simulator';
import type { DrsSimulatorHandle, Fleet } from '@lifeboat/drs-simulator';
import type { AccountClientConfig, AccountScope, TargetAccountsOptions } from '../src/index.js';
import { AccountAccessError, TargetAccounts } from '../src/index.js';

const HUB = '123456789012';
const SPOKE = '222233334444';
const HUB_KEY = 'AKIDHUBEXECUTION';
const ROLE = `arn:aws:iam::${SPOKE}:role/LifeboatDrsAccess`;
const EXTERNAL_ID = 'lifeboat-ext-42';

const fleet: Fleet = {
  accounts: [
    { accountId: HUB, regions: ['us-east-1'], accessKeyIds: [HUB_KEY] },
    { accountId: SPOKE, regions: ['us-east-1', 'eu-west-1'], roles: [{ roleName: 'LifeboatDrsAccess', trustedAccountIds: [HUB], externalId: EXTERNAL_ID }] },
  ],
  servers: [
    { hostname: 'hub-web-1', os: 'LINUX', accountId: HUB, region: 'us-east-1' },
    { hostname: 'spoke-db-1', os: 'LINUX', accountId: SPOKE, region: 'us-east-1' },
    { hostname: 'spoke-db-2', os: 'LINUX', accountId: SPOKE, region: 'eu-west-1' },
  ],
};

const ENV = ['AWS_ENDPOINT_URL_DRS', 'AWS_ENDPOINT_URL_STS', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

let simulator: DrsSimulatorHandle;
let answers: Record<string, ResolvedTargetAccess>;
let drs: TargetAccounts;

const drsClient = (config: AccountClientConfig) => new DrsClient(config);
const drsClientFor = (accounts: TargetAccounts, scope: AccountScope) => accounts.clientFor(scope, drsClient);
const targetAccounts = (options: Omit<TargetAccountsOptions, 'service'>) => new TargetAccounts({ service: 'execution', ...options });

beforeAll(async () => {
  simulator = await startDrsSimulator({ fleet, seed: 7 });
  for (const name of ENV) delete process.env[name];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DRS: simulator.url,
    AWS_ENDPOINT_URL_STS: simulator.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: HUB_KEY,
    AWS_SECRET_ACCESS_KEY: 'hub-secret',
  });
  answers = { [SPOKE]: { accountId: SPOKE, regions: ['us-east-1', 'eu-west-1'], roleArn: ROLE, externalId: EXTERNAL_ID, isDefault: false } };
  drs = targetAccounts({
    catalog: async (accountId) => {
      const answer = answers[accountId];
      if (!answer) throw new NotFoundError(`account ${accountId} is not a target account of the catalog`, 'accountId');
      return answer;
    },
  });
});

afterAll(async () => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  await simulator.close();
});

async function hostnames(client: DrsClient): Promise<string[]> {
  const { items } = await client.send(new DescribeSourceServersCommand({}));
  return (items ?? []).map((s) => s.sourceProperties?.identificationHints?.hostname ?? '');
}

describe('TargetAccounts on the simulator', () => {
  it('calls the account it runs in (GetCallerIdentity) with its own keys', async () => {
    expect(await drs.homeAccountId()).toBe(HUB);
    expect(await hostnames(await drsClientFor(drs, { accountId: HUB, region: 'us-east-1' }))).toEqual(['hub-web-1']);
  });

  it('assumes the spoke\'s role with the external id once, and lists the spoke\'s servers in each region', async () => {
    expect(await hostnames(await drsClientFor(drs, { accountId: SPOKE, region: 'us-east-1' }))).toEqual(['spoke-db-1']);
    expect(await hostnames(await drsClientFor(drs, { accountId: SPOKE, region: 'eu-west-1' }))).toEqual(['spoke-db-2']);
    const calls = simulator.edge.callLog.filter((c) => c.service === 'drs' && c.accountId === SPOKE);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every((c) => c.principal === `arn:aws:sts::${SPOKE}:assumed-role/LifeboatDrsAccess/lifeboat-execution`)).toBe(true);
    expect(new Set(calls.map((c) => c.accessKeyId)).size).toBe(1);
  });

  it('a wrong external id is refused by STS: a clear error', async () => {
    const other = targetAccounts({ homeAccountId: HUB, catalog: async () => ({ accountId: SPOKE, regions: ['us-east-1'], roleArn: ROLE, externalId: 'wrong-id', isDefault: false }) });
    const error = await drsClientFor(other, { accountId: SPOKE, region: 'us-east-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountAccessError);
    expect(error).toMatchObject({ code: 'ASSUME_ROLE_FAILED', retryable: false });
    expect((error as Error).message).toMatch(/AccessDenied/);
    expect((error as Error).message).not.toContain('wrong-id');
  });
});
