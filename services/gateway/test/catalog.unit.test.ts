/**
 * The catalog's part of the schema with a fake catalog: the read model mapped field by field,
 * filters and sort passed as the catalog names them, lookups null when unknown, target accounts
 * without their external id, and the inputs of sync and target-account mutations.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { NotFoundError, ValidationError } from '@lifeboat/service-api';
import type { CatalogOperations } from '@lifeboat/service-api';
import { callerWith, fullSourceServerView, gatewayHarness, sourceServerView, targetAccountView } from './fixtures.js';

let harness: ReturnType<typeof gatewayHarness>;
beforeEach(() => {
  harness = gatewayHarness();
});

const viewer = callerWith('Viewer');
const admin = callerWith('Admin');

const SERVER_FIELDS = `id accountId region arn hostname fqdn os osName tags { key value } stagingAccountId replicationState readyForRecovery notReadyReason
  replication { state lag lagSeconds eta totalStorageBytes replicatedStorageBytes rescannedStorageBytes backloggedStorageBytes error }
  lastLaunch { type initiatedAt jobId status result } recoveryInstanceId protectionGroup { id name } lastSeenAt`;

describe('source servers', () => {
  it('sourceServers maps every field of the read model', async () => {
    harness.services.catalog.on('listSourceServers', () => ({ items: [fullSourceServerView, sourceServerView], nextToken: null }));
    const result = await harness.run(`{ sourceServers { items { ${SERVER_FIELDS} } nextCursor } }`, viewer);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      sourceServers: {
        nextCursor: null,
        items: [
          {
            id: 's-0000000000000000a',
            accountId: '123456789012',
            region: 'us-east-1',
            arn: 'arn:aws:drs:us-east-1:123456789012:source-server/s-0000000000000000a',
            hostname: 'erp-01',
            fqdn: 'erp-01.corp.example.com',
            os: 'WINDOWS',
            osName: 'Microsoft Windows Server 2019 Datacenter',
            tags: [{ key: 'App', value: 'ERP' }],
            stagingAccountId: '210987654321',
            replicationState: 'STALLED',
            readyForRecovery: false,
            notReadyReason: 'replication stalled (AGENT_NOT_SEEN)',
            replication: {
              state: 'STALLED',
              lag: 'PT2H5M',
              lagSeconds: 7500,
              eta: '2025-01-01T14:00:00+00:00',
              totalStorageBytes: 107374182400,
              replicatedStorageBytes: 53687091200,
              rescannedStorageBytes: 0,
              backloggedStorageBytes: 1024,
              error: 'AGENT_NOT_SEEN',
            },
            lastLaunch: { type: 'DRILL', initiatedAt: '2024-12-31T10:00:00+00:00', jobId: 'drsjob-0000000000000000a', status: 'LAUNCHED', result: 'SUCCEEDED' },
            recoveryInstanceId: 'i-0000000000000000a',
            protectionGroup: { id: 'pg-erp', name: 'ERP' },
            lastSeenAt: '2025-01-01T12:00:00.000Z',
          },
          {
            id: 's-1234567890abcdef0',
            accountId: '123456789012',
            region: 'us-east-1',
            arn: 'arn:aws:drs:us-east-1:123456789012:source-server/s-1234567890abcdef0',
            hostname: 'db-01',
            fqdn: null,
            os: 'LINUX',
            osName: null,
            tags: [
              { key: 'app', value: 'shop' },
              { key: 'tier', value: 'db' },
            ],
            stagingAccountId: null,
            replicationState: 'CONTINUOUS',
            readyForRecovery: true,
            notReadyReason: null,
            replication: null,
            lastLaunch: null,
            recoveryInstanceId: null,
            protectionGroup: null,
            lastSeenAt: '2025-01-01T12:00:00.000Z',
          },
        ],
      },
    });
  });

  it('sourceServers passes filter and sort as the catalog names them, leaving out what was not given', async () => {
    harness.services.catalog.on('listSourceServers', () => ({ items: [], nextToken: null }));
    const result = await harness.run(
      `{ sourceServers(first: 50, after: "t1", filter: { accountId: "123456789012", region: "us-east-1", replicationState: "STALLED", ready: false, protectionGroupId: "pg-1", tag: { key: "App" }, search: "erp", unassigned: null }, sort: { field: HOSTNAME, direction: DESC }) { nextCursor } }`,
      viewer,
    );
    expect(result.errors).toBeUndefined();
    const input: CatalogOperations['listSourceServers']['input'] = {
      limit: 50,
      nextToken: 't1',
      filter: { accountId: '123456789012', region: 'us-east-1', replicationState: 'STALLED', ready: false, protectionGroupId: 'pg-1', tag: { key: 'App' }, search: 'erp' },
      sort: { field: 'HOSTNAME', direction: 'DESC' },
    };
    expect(harness.services.catalog.calls).toEqual([{ operation: 'listSourceServers', input, caller: viewer }]);

    await harness.run('{ sourceServers(filter: { unassigned: true, tag: { key: "Tier", value: "App" } }, sort: {}) { nextCursor } }', viewer);
    expect(harness.services.catalog.calls[1]?.input).toEqual({ limit: 100, filter: { unassigned: true, tag: { key: 'Tier', value: 'App' } }, sort: { field: 'HOSTNAME', direction: 'ASC' } });
  });

  it('sourceServers answers the catalog filter problems with their field', async () => {
    harness.services.catalog.on('listSourceServers', () => {
      throw new ValidationError([{ field: 'filter.unassigned', message: 'cannot be true together with a protectionGroupId' }]);
    });
    const result = await harness.run('{ sourceServers(filter: { unassigned: true, protectionGroupId: "pg-1" }) { nextCursor } }', viewer);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.unassigned', problems: [{ field: 'filter.unassigned', message: 'cannot be true together with a protectionGroupId' }] });
  });

  it('sourceServer is one server, null when the catalog does not know it, and a bad id is named `id`', async () => {
    harness.services.catalog.on('getSourceServer', (input: { sourceServerId: string }) => {
      if (input.sourceServerId === fullSourceServerView.sourceServerId) return fullSourceServerView;
      if (input.sourceServerId === 'bogus') throw new ValidationError('must be a DRS source server id (s- and 17 characters)', 'sourceServerId');
      throw new NotFoundError(`the catalog knows no source server ${input.sourceServerId}`, 'sourceServerId');
    });
    const found = await harness.run('query($id: ID!) { sourceServer(id: $id) { id hostname protectionGroup { id name } } }', viewer, { id: 's-0000000000000000a' });
    expect(found).toEqual({ data: { sourceServer: { id: 's-0000000000000000a', hostname: 'erp-01', protectionGroup: { id: 'pg-erp', name: 'ERP' } } } });
    expect(harness.services.catalog.calls[0]?.input).toEqual({ sourceServerId: 's-0000000000000000a' });
    expect(await harness.run('{ sourceServer(id: "s-99999999999999999") { id } }', viewer)).toEqual({ data: { sourceServer: null } });
    const bad = await harness.run('{ sourceServer(id: "bogus") { id } }', viewer);
    expect(bad.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'id', problems: [{ field: 'id', message: 'must be a DRS source server id (s- and 17 characters)' }] });
  });

  it('servers asked for by id in one document (the single servers of a wave) are read in one call; unknown ones are null', async () => {
    const ids = Array.from({ length: 12 }, (_, i) => `s-${String(i).padStart(17, '0')}`);
    harness.services.catalog.on('getSourceServers', (input: { sourceServerIds: string[] }) =>
      input.sourceServerIds.filter((id) => id !== ids[3]).map((id) => ({ ...sourceServerView, sourceServerId: id, hostname: `host-${id.slice(-2)}` })),
    );
    const result = await harness.run(`{ ${ids.map((id, i) => `s${i}: sourceServer(id: "${id}") { id hostname }`).join(' ')} }`, viewer);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(Object.fromEntries(ids.map((id, i) => [`s${i}`, i === 3 ? null : { id, hostname: `host-${id.slice(-2)}` }])));
    expect(harness.services.catalog.calls).toEqual([{ operation: 'getSourceServers', input: { sourceServerIds: ids }, caller: viewer }]);
  });
});

describe('target accounts', () => {
  const ACCOUNT_FIELDS = 'accountId regions roleArn hasExternalId isDefault createdAt createdBy updatedAt updatedBy sync { region status lastAttemptAt lastSuccessAt error { code message } serverCount discovered changed removed durationMs }';

  it('targetAccounts: per-region sync status; the external id never leaves the gateway', async () => {
    const leaky = { ...targetAccountView, externalId: 'secret-external-id' };
    harness.services.catalog.on('listTargetAccounts', () => [leaky, { accountId: '123456789012', regions: ['us-east-1'], hasExternalId: false, isDefault: true, sync: [{ region: 'us-east-1', status: 'NEVER_SYNCED' }] }]);
    const result = await harness.run(`{ targetAccounts { ${ACCOUNT_FIELDS} } }`, viewer);
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result)).not.toContain('secret-external-id');
    expect(result.data).toEqual({
      targetAccounts: [
        {
          accountId: '111122223333',
          regions: ['us-east-1', 'eu-west-1'],
          roleArn: 'arn:aws:iam::111122223333:role/LifeboatCatalog',
          hasExternalId: true,
          isDefault: false,
          createdAt: '2025-01-01T12:00:00.000Z',
          createdBy: 'admin',
          updatedAt: '2025-01-02T12:00:00.000Z',
          updatedBy: 'admin',
          sync: [
            { region: 'us-east-1', status: 'SUCCEEDED', lastAttemptAt: '2025-01-02T12:05:00.000Z', lastSuccessAt: '2025-01-02T12:05:00.000Z', error: null, serverCount: 40, discovered: 2, changed: 1, removed: 0, durationMs: 850 },
            { region: 'eu-west-1', status: 'FAILED', lastAttemptAt: '2025-01-02T12:05:00.000Z', lastSuccessAt: null, error: { code: 'AccessDenied', message: 'not authorized to perform drs:DescribeSourceServers' }, serverCount: null, discovered: null, changed: null, removed: null, durationMs: 120 },
          ],
        },
        { accountId: '123456789012', regions: ['us-east-1'], roleArn: null, hasExternalId: false, isDefault: true, createdAt: null, createdBy: null, updatedAt: null, updatedBy: null, sync: [{ region: 'us-east-1', status: 'NEVER_SYNCED', lastAttemptAt: null, lastSuccessAt: null, error: null, serverCount: null, discovered: null, changed: null, removed: null, durationMs: null }] },
      ],
    });
  });

  it('addTargetAccount passes the account with its external id, and answers without it', async () => {
    harness.services.catalog.on('addTargetAccount', () => targetAccountView);
    const input = { accountId: '111122223333', regions: ['us-east-1', 'eu-west-1'], roleArn: 'arn:aws:iam::111122223333:role/LifeboatCatalog', externalId: 'secret-external-id' };
    const result = await harness.run('mutation($input: AddTargetAccountInput!) { addTargetAccount(input: $input) { accountId hasExternalId } }', admin, { input });
    expect(result).toEqual({ data: { addTargetAccount: { accountId: '111122223333', hasExternalId: true } } });
    expect(harness.services.catalog.calls).toEqual([{ operation: 'addTargetAccount', input, caller: admin }]);
  });

  it('updateTargetAccount: an omitted externalId keeps it, an explicit null removes it', async () => {
    harness.services.catalog.on('updateTargetAccount', () => targetAccountView);
    await harness.run('mutation { updateTargetAccount(input: { accountId: "111122223333", regions: ["us-east-1"] }) { accountId } }', admin);
    await harness.run('mutation { updateTargetAccount(input: { accountId: "111122223333", externalId: null, roleArn: null }) { accountId } }', admin);
    await harness.run('mutation($input: UpdateTargetAccountInput!) { updateTargetAccount(input: $input) { accountId } }', admin, { input: { accountId: '111122223333', externalId: 'new-id' } });
    expect(harness.services.catalog.calls.map((c) => c.input)).toEqual([
      { accountId: '111122223333', regions: ['us-east-1'] },
      { accountId: '111122223333', externalId: null },
      { accountId: '111122223333', externalId: 'new-id' },
    ]);
  });

  it('updateTargetAccount of an account that is no target is NOT_FOUND with its field', async () => {
    harness.services.catalog.on('updateTargetAccount', () => {
      throw new NotFoundError('account 999988887777 is not a target', 'accountId');
    });
    const result = await harness.run('mutation { updateTargetAccount(input: { accountId: "999988887777", regions: ["us-east-1"] }) { accountId } }', admin);
    expect(result.errors?.[0]).toMatchObject({ message: 'account 999988887777 is not a target', extensions: { code: 'NOT_FOUND', field: 'accountId' } });
  });

  it('removeTargetAccount answers how many servers left the catalog', async () => {
    harness.services.catalog.on('removeTargetAccount', () => ({ accountId: '111122223333', removedServers: 40 }));
    const result = await harness.run('mutation { removeTargetAccount(accountId: "111122223333") { accountId removedServers } }', admin);
    expect(result).toEqual({ data: { removeTargetAccount: { accountId: '111122223333', removedServers: 40 } } });
    expect(harness.services.catalog.calls[0]?.input).toEqual({ accountId: '111122223333' });
  });

  it('syncSourceServers of everything, or of one account and region; per-target results', async () => {
    harness.services.catalog.on('syncSourceServers', (input: { accountId?: string }) =>
      input.accountId
        ? { discovered: 1, changed: 0, removed: 0, targets: [{ accountId: '111122223333', region: 'eu-west-1', status: 'FAILED', discovered: 0, changed: 0, removed: 0, serverCount: 0, error: { code: 'AccessDenied', message: 'denied' } }] }
        : { discovered: 9, changed: 0, removed: 0 },
    );
    const author = callerWith('PlanAuthor');
    const all = await harness.run('mutation { syncSourceServers { discovered changed removed targets { accountId } } }', author);
    expect(all).toEqual({ data: { syncSourceServers: { discovered: 9, changed: 0, removed: 0, targets: [] } } });
    const one = await harness.run('mutation { syncSourceServers(accountId: "111122223333", region: "eu-west-1") { targets { accountId region status discovered changed removed serverCount error { code message } } } }', author);
    expect(one.data).toEqual({ syncSourceServers: { targets: [{ accountId: '111122223333', region: 'eu-west-1', status: 'FAILED', discovered: 0, changed: 0, removed: 0, serverCount: 0, error: { code: 'AccessDenied', message: 'denied' } }] } });
    expect(harness.services.catalog.calls.map((c) => c.input)).toEqual([{}, { accountId: '111122223333', region: 'eu-west-1' }]);
  });
});
