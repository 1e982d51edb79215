/**
 * The planning part of the schema with a fake planning service: groups and plans mapped field by
 * field, the extended inputs passed as planning names them (null fields left out, tags as a
 * map), ids renamed both ways, and planning's errors reaching the client typed.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { ConflictError, NotFoundError, ValidationError } from '@lifeboat/service-api';
import type { PlanningOperations } from '@lifeboat/service-api';
import { callerWith, fullProtectionGroupView, fullRecoveryPlanView, gatewayHarness, protectionGroupView, recoveryPlanView, savedRecoveryPlanView } from './fixtures.js';

let harness: ReturnType<typeof gatewayHarness>;
beforeEach(() => {
  harness = gatewayHarness();
});

const viewer = callerWith('Viewer');
const author = callerWith('PlanAuthor');

const VERIFICATION_FIELDS = `instanceTimeoutSeconds requireSsmAgent ssmAgentTimeoutSeconds healthChecks { name documentName parameters timeoutSeconds }
  checkPostLaunchActions probes { type name port path https expectStatus timeoutSeconds }`;
const NO_VERIFICATION = { instanceTimeoutSeconds: null, requireSsmAgent: null, ssmAgentTimeoutSeconds: null, healthChecks: null, checkPostLaunchActions: null, probes: null };
const GROUP_FIELDS = `id name accountId region sourceServerIds explicitSourceServerIds tagSelectors { tags { key value } }
  launchDefaults { subnetId securityGroupIds instanceType copyPrivateIp copyTags launchDisposition rightSizing }
  serverLaunchOverrides { sourceServerId subnetId securityGroupIds instanceType copyPrivateIp copyTags launchDisposition rightSizing }
  postLaunchActions { actionId documentName documentVersion parameters { name value type } optional category description order }
  verification { ${VERIFICATION_FIELDS} }
  serverVerificationOverrides { sourceServerId ${VERIFICATION_FIELDS} }
  conflicts { sourceServerId protectionGroupId protectionGroupName } revision createdAt createdBy updatedAt updatedBy`;

const STEP_FIELDS = 'id type name durationSeconds prompt approverRole timeoutSeconds onTimeout documentName documentVersion parameters targetServerIds onFailure functionArn payload';
const PLAN_FIELDS = `id name description version changeSummary createdAt createdBy
  waves { id name dependsOn launchOrder protectionGroupIds sourceServerIds servers { sourceServerId criticality bootOrder delaySeconds }
    preSteps { ${STEP_FIELDS} } postSteps { ${STEP_FIELDS} } errorPolicy }
  settings { rtoTargetMinutes drill { networkIsolation subnetId securityGroupIds autoCleanupAfterHours } notificationTargets { type address } requireSecondApprover }`;

const NO_STEP = { durationSeconds: null, prompt: null, approverRole: null, timeoutSeconds: null, onTimeout: null, documentName: null, documentVersion: null, parameters: null, targetServerIds: null, onFailure: null, functionArn: null, payload: null };

const fullGroup = {
  id: 'pg-erp',
  name: 'ERP',
  accountId: '123456789012',
  region: 'us-east-1',
  sourceServerIds: ['s-0000000000000000a', 's-0000000000000000b'],
  explicitSourceServerIds: ['s-0000000000000000a'],
  tagSelectors: [{ tags: [{ key: 'App', value: 'ERP' }, { key: 'Tier', value: 'App' }] }],
  launchDefaults: { subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'], instanceType: null, copyPrivateIp: null, copyTags: true, launchDisposition: 'STARTED', rightSizing: 'BASIC' },
  serverLaunchOverrides: [{ sourceServerId: 's-0000000000000000b', subnetId: null, securityGroupIds: null, instanceType: 'm5.large', copyPrivateIp: null, copyTags: null, launchDisposition: null, rightSizing: 'NONE' }],
  postLaunchActions: [{ actionId: '4b1e3b56-9a8f-4d0c-8f57-2a5b2b9b7c11', documentName: 'AWS-RunShellScript', documentVersion: '$DEFAULT', parameters: [{ name: 'commands', value: 'systemctl', type: 'DYNAMIC' }], optional: true, category: 'VALIDATION', description: 'smoke test', order: 100 }],
  verification: {
    ...NO_VERIFICATION,
    instanceTimeoutSeconds: 1200,
    healthChecks: [{ name: null, documentName: 'Lifeboat-CheckErp', parameters: { port: ['8080'] }, timeoutSeconds: null }],
    probes: [
      { type: 'TCP', name: null, port: 22, path: null, https: null, expectStatus: null, timeoutSeconds: null },
      { type: 'HTTP', name: 'status', port: 8443, path: '/health', https: true, expectStatus: 204, timeoutSeconds: 30 },
    ],
  },
  serverVerificationOverrides: [{ ...NO_VERIFICATION, sourceServerId: 's-0000000000000000b', requireSsmAgent: false, healthChecks: [] }],
  conflicts: [{ sourceServerId: 's-0000000000000000c', protectionGroupId: 'pg-other', protectionGroupName: 'Other' }],
  revision: 3,
  createdAt: '2025-01-01T12:00:00.000Z',
  createdBy: 'alice',
  updatedAt: '2025-01-03T12:00:00.000Z',
  updatedBy: 'bob',
};

describe('protection groups', () => {
  it('protectionGroup maps every field; null when it does not exist', async () => {
    harness.services.planning.on('getProtectionGroup', (input: { protectionGroupId: string }) => {
      if (input.protectionGroupId === 'pg-erp') return fullProtectionGroupView;
      throw new NotFoundError(`Protection group ${input.protectionGroupId} does not exist`, 'protectionGroupId');
    });
    const result = await harness.run(`{ protectionGroup(id: "pg-erp") { ${GROUP_FIELDS} } }`, viewer);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ protectionGroup: fullGroup });
    expect(harness.services.planning.calls[0]?.input).toEqual({ protectionGroupId: 'pg-erp' });
    expect(await harness.run('{ protectionGroup(id: "pg-nope") { id } }', viewer)).toEqual({ data: { protectionGroup: null } });
  });

  it('protectionGroups and recoveryPlans map first, after and the filter to planning, and answer a page with its cursor', async () => {
    harness.services.planning.on('listProtectionGroups', () => ({ items: [protectionGroupView], nextToken: 'groups-2' })).on('listRecoveryPlans', () => ({ items: [], nextToken: null }));
    const result = await harness.run(
      `{
        protectionGroups(first: 1, after: "groups-1", filter: { search: "data", accountId: "123456789012", region: null, sourceServerId: "s-1234567890abcdef0" }) { items { id } nextCursor }
        recoveryPlans(first: 1000, filter: { protectionGroupId: "pg-1" }) { items { id } nextCursor }
      }`,
      viewer,
    );
    expect(result).toEqual({ data: { protectionGroups: { items: [{ id: 'pg-1' }], nextCursor: 'groups-2' }, recoveryPlans: { items: [], nextCursor: null } } });
    expect(harness.services.planning.calls).toEqual([
      { operation: 'listProtectionGroups', input: { limit: 1, nextToken: 'groups-1', filter: { search: 'data', accountId: '123456789012', sourceServerId: 's-1234567890abcdef0' } }, caller: viewer },
      { operation: 'listRecoveryPlans', input: { limit: 1000, filter: { protectionGroupId: 'pg-1' } }, caller: viewer },
    ]);
  });

  it('protectionGroups and recoveryPlans refuse a page size out of 1..1000 at first, and name planning\'s paging errors first and after', async () => {
    for (const query of ['{ protectionGroups(first: 0) { nextCursor } }', '{ recoveryPlans(first: 1001) { nextCursor } }']) {
      expect((await harness.run(query, viewer)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
    expect(harness.services.planning.calls).toEqual([]);
    harness.services.planning.on('listProtectionGroups', () => {
      throw new ValidationError([{ field: 'nextToken', message: 'is not a token returned by listProtectionGroups' }]);
    });
    const forged = await harness.run('{ protectionGroups(after: "forged") { nextCursor } }', viewer);
    expect(forged.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'after', problems: [{ field: 'after', message: 'is not a token returned by listProtectionGroups' }] });
    harness.services.planning.on('listRecoveryPlans', () => {
      throw new ValidationError([{ field: 'filter.protectionGroupId', message: 'must be a protection group id' }]);
    });
    const bad = await harness.run('{ recoveryPlans(filter: { protectionGroupId: "pg 1" }) { nextCursor } }', viewer);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.protectionGroupId' });
  });

  it('groups asked for by id in one document are read in one call, each id once; unknown ones are null', async () => {
    const group = (id: string) => ({ ...protectionGroupView, protectionGroupId: id, name: `Group ${id}` });
    harness.services.planning.on('getProtectionGroups', (input: { protectionGroupIds: string[] }) => input.protectionGroupIds.filter((id) => id !== 'pg-gone').map(group));
    const ids = ['pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5', 'pg-gone', 'pg-2'];
    const query = `{ ${ids.map((id, i) => `g${i}: protectionGroup(id: "${id}") { id name }`).join(' ')} }`;
    const result = await harness.run(query, viewer);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual(Object.fromEntries(ids.map((id, i) => [`g${i}`, id === 'pg-gone' ? null : { id, name: `Group ${id}` }])));
    // One call for seven lookups, not seven.
    expect(harness.services.planning.calls).toEqual([{ operation: 'getProtectionGroups', input: { protectionGroupIds: ['pg-1', 'pg-2', 'pg-3', 'pg-4', 'pg-5', 'pg-gone'] }, caller: viewer }]);
  });

  it('batches per request and caller: a second request reads again, as its own caller', async () => {
    harness.services.planning.on('getProtectionGroups', (input: { protectionGroupIds: string[] }) => input.protectionGroupIds.map((id) => ({ ...protectionGroupView, protectionGroupId: id })));
    const query = '{ a: protectionGroup(id: "pg-1") { id } b: protectionGroup(id: "pg-2") { id } }';
    const other = callerWith('Operator');
    await harness.run(query, viewer);
    await harness.run(query, other);
    expect(harness.services.planning.calls.map((c) => [c.operation, c.caller])).toEqual([
      ['getProtectionGroups', viewer],
      ['getProtectionGroups', other],
    ]);
  });

  it('a batch refused as bad input is read one id at a time: each field gets its own error, the good ids their group', async () => {
    harness.services.planning
      .on('getProtectionGroups', () => {
        throw new ValidationError([{ field: 'protectionGroupIds[1]', message: 'is not a protection group id' }]);
      })
      .on('getProtectionGroup', (input: { protectionGroupId: string }) => {
        if (input.protectionGroupId === 'pg 2') throw new ValidationError([{ field: 'protectionGroupId', message: 'is not a protection group id' }]);
        return { ...protectionGroupView, protectionGroupId: input.protectionGroupId };
      });
    const result = await harness.run('{ a: protectionGroup(id: "pg-1") { id } b: protectionGroup(id: "pg 2") { id } }', viewer);
    expect(result.data).toEqual({ a: { id: 'pg-1' }, b: null });
    expect(result.errors?.map((e) => [e.path, e.extensions?.code, e.extensions?.field])).toEqual([[['b'], 'BAD_USER_INPUT', 'id']]);
  });

  it('a group written before selectors, launch and verification settings reads as explicit members with defaults', async () => {
    harness.services.planning.on('listProtectionGroups', () => ({ items: [protectionGroupView], nextToken: null }));
    const result = await harness.run(`{ protectionGroups { items { ${GROUP_FIELDS} } } }`, viewer);
    expect(result.data).toEqual({
      protectionGroups: {
        items: [
        {
          id: 'pg-1',
          name: 'Databases',
          accountId: '123456789012',
          region: 'us-east-1',
          sourceServerIds: ['s-1234567890abcdef0'],
          explicitSourceServerIds: ['s-1234567890abcdef0'],
          tagSelectors: [],
          launchDefaults: { subnetId: null, securityGroupIds: null, instanceType: null, copyPrivateIp: null, copyTags: null, launchDisposition: null, rightSizing: null },
          serverLaunchOverrides: [],
          postLaunchActions: [],
          verification: NO_VERIFICATION,
          serverVerificationOverrides: [],
          conflicts: [],
          revision: 1,
          createdAt: '2025-01-01T12:00:00.000Z',
          createdBy: 'alice',
          updatedAt: null,
          updatedBy: null,
        },
        ],
      },
    });
  });

  it('createProtectionGroup passes selectors (tags as a map), launch and verification settings, overrides and post-launch actions; nulls left out', async () => {
    harness.services.planning.on('createProtectionGroup', () => fullProtectionGroupView);
    const input = {
      name: 'ERP',
      accountId: '123456789012',
      region: 'us-east-1',
      sourceServerIds: ['s-0000000000000000a'],
      tagSelectors: [{ tags: [{ key: 'Tier', value: 'App' }, { key: 'App', value: 'ERP' }] }],
      launchDefaults: { subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'], copyTags: true, launchDisposition: 'STARTED', rightSizing: 'BASIC', instanceType: null },
      serverLaunchOverrides: [{ sourceServerId: 's-0000000000000000b', instanceType: 'm5.large', rightSizing: 'NONE', copyTags: null }],
      postLaunchActions: [{ documentName: 'AWS-RunShellScript', parameters: [{ name: 'commands', value: 'systemctl', type: null }], optional: true, category: 'VALIDATION', description: null }],
      verification: {
        instanceTimeoutSeconds: 1200,
        requireSsmAgent: null,
        healthChecks: [{ documentName: 'Lifeboat-CheckErp', parameters: { port: ['8080'] }, name: null }],
        probes: [{ type: 'TCP', port: 22, path: null }, { type: 'HTTP', name: 'status', port: 8443, path: '/health', https: true, expectStatus: 204 }],
      },
      serverVerificationOverrides: [{ sourceServerId: 's-0000000000000000b', requireSsmAgent: false, healthChecks: [], probes: null }],
    };
    const result = await harness.run('mutation($input: CreateProtectionGroupInput!) { createProtectionGroup(input: $input) { id revision } }', author, { input });
    expect(result).toEqual({ data: { createProtectionGroup: { id: 'pg-erp', revision: 3 } } });
    const expected: PlanningOperations['createProtectionGroup']['input'] = {
      name: 'ERP',
      accountId: '123456789012',
      region: 'us-east-1',
      sourceServerIds: ['s-0000000000000000a'],
      tagSelectors: [{ tags: { Tier: 'App', App: 'ERP' } }],
      launchDefaults: { subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'], copyTags: true, launchDisposition: 'STARTED', rightSizing: 'BASIC' },
      serverLaunchOverrides: [{ sourceServerId: 's-0000000000000000b', instanceType: 'm5.large', rightSizing: 'NONE' }],
      postLaunchActions: [{ documentName: 'AWS-RunShellScript', parameters: [{ name: 'commands', value: 'systemctl' }], optional: true, category: 'VALIDATION' }],
      verification: {
        instanceTimeoutSeconds: 1200,
        healthChecks: [{ documentName: 'Lifeboat-CheckErp', parameters: { port: ['8080'] } }],
        probes: [{ type: 'TCP', port: 22 }, { type: 'HTTP', name: 'status', port: 8443, path: '/health', https: true, expectStatus: 204 }],
      },
      serverVerificationOverrides: [{ sourceServerId: 's-0000000000000000b', requireSsmAgent: false, healthChecks: [] }],
    };
    expect(harness.services.planning.calls).toEqual([{ operation: 'createProtectionGroup', input: expected, caller: author }]);
  });

  it('a tag key given twice in a selector is BAD_USER_INPUT naming it, and planning is not called', async () => {
    const result = await harness.run(
      'mutation { createProtectionGroup(input: { name: "x", accountId: "123456789012", region: "us-east-1", tagSelectors: [{ tags: [{ key: "App", value: "A" }] }, { tags: [{ key: "App", value: "A" }, { key: "App", value: "B" }] }] }) { id } }',
      author,
    );
    expect(result.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'tagSelectors[1].tags[1].key',
      problems: [{ field: 'tagSelectors[1].tags[1].key', message: "'App' is already given at tagSelectors[1].tags[0]: a tag key is given once" }],
    });
    expect(harness.services.planning.calls).toHaveLength(0);
  });

  it('assigning a server another group holds: CONFLICT naming the server and the group, as planning says it', async () => {
    const message = "A server belongs to at most one protection group: s-0000000000000000a belongs to protection group 'Database' (pg-db)";
    harness.services.planning.on('createProtectionGroup', () => {
      throw new ConflictError(message, 'sourceServerIds');
    });
    const result = await harness.run('mutation { createProtectionGroup(input: { name: "x", accountId: "123456789012", region: "us-east-1", sourceServerIds: ["s-0000000000000000a"] }) { id } }', author);
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([expect.objectContaining({ message, path: ['createProtectionGroup'], extensions: { code: 'CONFLICT', field: 'sourceServerIds' } })]);
  });

  it('updateProtectionGroup: id and expectedRevision become planning inputs; its errors name `id`', async () => {
    harness.services.planning.on('updateProtectionGroup', (input: { protectionGroupId: string }) => {
      if (input.protectionGroupId === 'pg-erp') return fullProtectionGroupView;
      throw new NotFoundError(`Protection group ${input.protectionGroupId} does not exist`, 'protectionGroupId');
    });
    const mutation = 'mutation($input: UpdateProtectionGroupInput!) { updateProtectionGroup(input: $input) { id revision updatedBy } }';
    const result = await harness.run(mutation, author, { input: { id: 'pg-erp', expectedRevision: 3, name: 'ERP', accountId: '123456789012', region: 'us-east-1', tagSelectors: [{ tags: [{ key: 'App', value: 'ERP' }] }] } });
    expect(result).toEqual({ data: { updateProtectionGroup: { id: 'pg-erp', revision: 3, updatedBy: 'bob' } } });
    expect(harness.services.planning.calls[0]?.input).toEqual({ protectionGroupId: 'pg-erp', expectedRevision: 3, name: 'ERP', accountId: '123456789012', region: 'us-east-1', tagSelectors: [{ tags: { App: 'ERP' } }] });
    const missing = await harness.run(mutation, author, { input: { id: 'pg-nope', name: 'ERP', accountId: '123456789012', region: 'us-east-1', sourceServerIds: ['s-0000000000000000a'] } });
    expect(missing.errors?.[0]).toMatchObject({ message: 'Protection group pg-nope does not exist', extensions: { code: 'NOT_FOUND', field: 'id' } });
  });

  it('update and preview pass verification settings too; planning’s problems keep their paths within the input', async () => {
    harness.services.planning.on('updateProtectionGroup', () => {
      throw new ValidationError([
        { field: 'verification.probes[0].port', message: 'must be a whole number from 1 to 65535' },
        { field: 'serverVerificationOverrides[0].sourceServerId', message: 's-0000000000000000z is not a member of this group' },
      ]);
    });
    harness.services.planning.on('previewProtectionGroup', () => ({ sourceServerIds: [], servers: [], conflicts: [] }));
    const verification = { requireSsmAgent: false, probes: [{ type: 'TCP', port: 0, path: null }], healthChecks: null };
    const overrides = [{ sourceServerId: 's-0000000000000000z', checkPostLaunchActions: false, probes: [] }];
    const fields = { accountId: '123456789012', region: 'us-east-1', sourceServerIds: ['s-0000000000000000a'], verification, serverVerificationOverrides: overrides };
    const updated = await harness.run('mutation($input: UpdateProtectionGroupInput!) { updateProtectionGroup(input: $input) { id } }', author, { input: { id: 'pg-erp', name: 'ERP', ...fields } });
    expect(updated.errors?.[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'verification.probes[0].port',
      problems: [
        { field: 'verification.probes[0].port', message: 'must be a whole number from 1 to 65535' },
        { field: 'serverVerificationOverrides[0].sourceServerId', message: 's-0000000000000000z is not a member of this group' },
      ],
    });
    const previewed = await harness.run('query($input: PreviewProtectionGroupInput!) { previewProtectionGroup(input: $input) { sourceServerIds } }', viewer, { input: fields });
    expect(previewed.errors).toBeUndefined();
    const passed = { requireSsmAgent: false, probes: [{ type: 'TCP', port: 0 }] };
    expect(harness.services.planning.calls.map((c) => c.input)).toEqual([
      expect.objectContaining({ protectionGroupId: 'pg-erp', verification: passed, serverVerificationOverrides: overrides }),
      expect.objectContaining({ verification: passed, serverVerificationOverrides: overrides }),
    ]);
  });

  it('deleteProtectionGroup: the id deleted, or CONFLICT naming the plans that use it', async () => {
    harness.services.planning.on('deleteProtectionGroup', (input: { protectionGroupId: string; expectedRevision?: number }) => {
      if (input.protectionGroupId === 'pg-used') throw new ConflictError("Protection group 'Database' is used by the latest version of recovery plan 'Orders 3-tier' (plan-1): remove it from their waves first", 'protectionGroupId');
      return { protectionGroupId: input.protectionGroupId };
    });
    expect(await harness.run('mutation { deleteProtectionGroup(id: "pg-erp", expectedRevision: 3) { id } }', author)).toEqual({ data: { deleteProtectionGroup: { id: 'pg-erp' } } });
    expect(harness.services.planning.calls[0]?.input).toEqual({ protectionGroupId: 'pg-erp', expectedRevision: 3 });
    const used = await harness.run('mutation { deleteProtectionGroup(id: "pg-used") { id } }', author);
    expect(used.errors?.[0]).toMatchObject({ message: expect.stringContaining("recovery plan 'Orders 3-tier'"), extensions: { code: 'CONFLICT', field: 'id' } });
    expect(harness.services.planning.calls[1]?.input).toEqual({ protectionGroupId: 'pg-used' });
  });

  it('previewProtectionGroup: a definition (no name needed), or a change of a group by id', async () => {
    harness.services.planning.on('previewProtectionGroup', () => ({
      sourceServerIds: ['s-0000000000000000b'],
      servers: [{ sourceServerId: 's-0000000000000000b', hostname: 'erp-app-1', replicationState: 'CONTINUOUS', matchedBy: 'TAGS' }],
      conflicts: [{ sourceServerId: 's-0000000000000000c', protectionGroupId: 'pg-other' }],
    }));
    const result = await harness.run(
      '{ previewProtectionGroup(input: { id: "pg-erp", accountId: "123456789012", region: "us-east-1", tagSelectors: [{ tags: [{ key: "App", value: "ERP" }] }] }) { sourceServerIds servers { sourceServerId hostname replicationState matchedBy } conflicts { sourceServerId protectionGroupId protectionGroupName } } }',
      viewer,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      previewProtectionGroup: {
        sourceServerIds: ['s-0000000000000000b'],
        servers: [{ sourceServerId: 's-0000000000000000b', hostname: 'erp-app-1', replicationState: 'CONTINUOUS', matchedBy: 'TAGS' }],
        conflicts: [{ sourceServerId: 's-0000000000000000c', protectionGroupId: 'pg-other', protectionGroupName: null }],
      },
    });
    expect(harness.services.planning.calls[0]?.input).toEqual({ protectionGroupId: 'pg-erp', accountId: '123456789012', region: 'us-east-1', tagSelectors: [{ tags: { App: 'ERP' } }] });
  });
});

describe('recovery plans', () => {
  const fullPlan = {
    id: 'plan-erp',
    name: 'ERP',
    description: 'ERP failover',
    version: 3,
    changeSummary: ['wave Database: launch order PARALLEL -> SEQUENTIAL'],
    createdAt: '2025-01-03T12:00:00.000Z',
    createdBy: 'alice',
    waves: [
      {
        id: 'wave-db',
        name: 'Database',
        dependsOn: [],
        launchOrder: 'SEQUENTIAL',
        protectionGroupIds: ['pg-erp'],
        sourceServerIds: ['s-0000000000000000d'],
        servers: [
          { sourceServerId: 's-0000000000000000a', criticality: 'OPTIONAL', bootOrder: 1, delaySeconds: 30 },
          { sourceServerId: 's-0000000000000000b', criticality: 'CRITICAL', bootOrder: 2, delaySeconds: null },
        ],
        preSteps: [
          { ...NO_STEP, id: 'wave-db-pre-1', type: 'WAIT', name: 'Wait 5 min', durationSeconds: 300 },
          { ...NO_STEP, id: 'wave-db-pre-2', type: 'APPROVAL', name: 'Go?', prompt: 'Proceed?', approverRole: 'RecoveryManager', timeoutSeconds: 3600, onTimeout: 'FAIL' },
        ],
        postSteps: [
          { ...NO_STEP, id: 'wave-db-post-1', type: 'SSM_DOCUMENT', name: 'Check', documentName: 'AWS-RunShellScript', documentVersion: '$LATEST', parameters: { commands: ['uptime'] }, targetServerIds: [], timeoutSeconds: 600, onFailure: 'CONTINUE' },
          { ...NO_STEP, id: 'wave-db-post-2', type: 'LAMBDA', name: 'dns', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dns', payload: { zone: 'corp' }, timeoutSeconds: 60, onFailure: 'FAIL' },
        ],
        errorPolicy: 'CONTINUE',
      },
    ],
    settings: {
      rtoTargetMinutes: 60,
      drill: { networkIsolation: 'CUSTOM_SUBNET', subnetId: 'subnet-0123456789abcdef0', securityGroupIds: [], autoCleanupAfterHours: 24 },
      notificationTargets: [{ type: 'EMAIL', address: 'dr@example.com' }],
      requireSecondApprover: true,
    },
  };

  it('recoveryPlan maps waves with server settings, each kind of step, error policy and plan settings', async () => {
    harness.services.planning.on('getRecoveryPlan', () => fullRecoveryPlanView);
    const result = await harness.run(`{ recoveryPlan(id: "plan-erp") { ${PLAN_FIELDS} } }`, viewer);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ recoveryPlan: fullPlan });
  });

  it('a plan written before the new fields reads with the defaults', async () => {
    harness.services.planning.on('listRecoveryPlans', () => ({ items: [recoveryPlanView], nextToken: null }));
    const result = await harness.run('{ recoveryPlans { items { description changeSummary settings { rtoTargetMinutes drill { networkIsolation } notificationTargets { type } requireSecondApprover } waves { sourceServerIds servers { sourceServerId } preSteps { id } postSteps { id } errorPolicy } } } }', viewer);
    const wave = { sourceServerIds: [], servers: [], preSteps: [], postSteps: [], errorPolicy: 'STOP' };
    expect(result.data).toEqual({ recoveryPlans: { items: [{ description: null, changeSummary: [], settings: { rtoTargetMinutes: null, drill: null, notificationTargets: [], requireSecondApprover: false }, waves: [wave, wave] }] } });
  });

  const planInput = {
    name: 'ERP',
    description: 'ERP failover',
    waves: [
      {
        name: 'Database',
        launchOrder: 'SEQUENTIAL',
        protectionGroupIds: ['pg-erp'],
        servers: [{ sourceServerId: 's-0000000000000000a', criticality: 'OPTIONAL', bootOrder: 1, delaySeconds: 30 }, { sourceServerId: 's-0000000000000000b', bootOrder: 2, criticality: null }],
        preSteps: [{ type: 'WAIT', durationSeconds: 300, prompt: null }, { type: 'APPROVAL', prompt: 'Proceed?', approverRole: 'RecoveryManager', onTimeout: 'FAIL' }],
        postSteps: [
          { type: 'SSM_DOCUMENT', documentName: 'AWS-RunShellScript', parameters: { commands: ['uptime'] }, onFailure: 'CONTINUE' },
          { type: 'LAMBDA', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dns', payload: { zone: 'corp', nested: { empty: null } } },
        ],
        errorPolicy: 'CONTINUE',
      },
      { name: 'App', dependsOn: ['Database'], sourceServerIds: ['s-0000000000000000d'] },
    ],
    settings: { rtoTargetMinutes: 60, drill: { networkIsolation: 'ISOLATED_VPC', autoCleanupAfterHours: 24, subnetId: null }, notificationTargets: [{ type: 'EMAIL', address: 'dr@example.com' }], requireSecondApprover: true },
  };
  const expectedDefinition: PlanningOperations['createRecoveryPlan']['input'] = {
    name: 'ERP',
    description: 'ERP failover',
    waves: [
      {
        name: 'Database',
        dependsOn: [],
        launchOrder: 'SEQUENTIAL',
        protectionGroupIds: ['pg-erp'],
        servers: [{ sourceServerId: 's-0000000000000000a', criticality: 'OPTIONAL', bootOrder: 1, delaySeconds: 30 }, { sourceServerId: 's-0000000000000000b', bootOrder: 2 }],
        preSteps: [{ type: 'WAIT', durationSeconds: 300 }, { type: 'APPROVAL', prompt: 'Proceed?', approverRole: 'RecoveryManager', onTimeout: 'FAIL' }],
        postSteps: [
          { type: 'SSM_DOCUMENT', documentName: 'AWS-RunShellScript', parameters: { commands: ['uptime'] }, onFailure: 'CONTINUE' },
          { type: 'LAMBDA', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dns', payload: { zone: 'corp', nested: { empty: null } } },
        ],
        errorPolicy: 'CONTINUE',
      },
      { name: 'App', dependsOn: ['Database'], launchOrder: 'PARALLEL', sourceServerIds: ['s-0000000000000000d'] },
    ],
    settings: { rtoTargetMinutes: 60, drill: { networkIsolation: 'ISOLATED_VPC', autoCleanupAfterHours: 24 }, notificationTargets: [{ type: 'EMAIL', address: 'dr@example.com' }], requireSecondApprover: true },
  };

  it('createRecoveryPlan passes the whole definition (one step input type, JSON kept as given) and answers the findings', async () => {
    harness.services.planning.on('createRecoveryPlan', () => savedRecoveryPlanView(fullRecoveryPlanView));
    const result = await harness.run('mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id version findings { severity code field message } } }', author, { input: planInput });
    expect(result).toEqual({ data: { createRecoveryPlan: { id: 'plan-erp', version: 3, findings: [{ severity: 'WARNING', code: 'SERVER_NOT_READY', field: 'waves[0]', message: '1 server not ready for recovery' }] } } });
    expect(harness.services.planning.calls).toEqual([{ operation: 'createRecoveryPlan', input: expectedDefinition, caller: author }]);
  });

  it('createRecoveryPlan refused by validation: BAD_USER_INPUT with every error', async () => {
    const problems = [
      { field: 'waves[0].dependsOn[0]', message: "waves depend on each other in a cycle: A → B → A" },
      { field: 'waves[1].protectionGroupIds', message: 'a wave needs at least one protection group or server' },
    ];
    harness.services.planning.on('createRecoveryPlan', () => {
      throw new ValidationError(problems);
    });
    const result = await harness.run('mutation { createRecoveryPlan(input: { name: "x", waves: [{ name: "A", dependsOn: ["B"], protectionGroupIds: ["pg-1"] }, { name: "B", dependsOn: ["A"] }] }) { id } }', author);
    expect(result.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'waves[0].dependsOn[0]', problems });
  });

  it('updateRecoveryPlan: id and expectedVersion; a stale version is CONFLICT on expectedVersion', async () => {
    harness.services.planning.on('updateRecoveryPlan', (input: { expectedVersion?: number }) => {
      if (input.expectedVersion === 1) throw new ConflictError("Recovery plan 'ERP' is at version 3, not 1: read it again", 'expectedVersion');
      return savedRecoveryPlanView({ ...fullRecoveryPlanView, version: 4 });
    });
    const mutation = 'mutation($input: UpdateRecoveryPlanInput!) { updateRecoveryPlan(input: $input) { id version findings { code } } }';
    const result = await harness.run(mutation, author, { input: { ...planInput, id: 'plan-erp', expectedVersion: 3 } });
    expect(result).toEqual({ data: { updateRecoveryPlan: { id: 'plan-erp', version: 4, findings: [{ code: 'SERVER_NOT_READY' }] } } });
    expect(harness.services.planning.calls[0]?.input).toEqual({ planId: 'plan-erp', expectedVersion: 3, ...expectedDefinition });
    const stale = await harness.run(mutation, author, { input: { ...planInput, id: 'plan-erp', expectedVersion: 1 } });
    expect(stale.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'expectedVersion' } });
  });

  it('deleteRecoveryPlan answers the version that marks the deletion', async () => {
    harness.services.planning.on('deleteRecoveryPlan', () => ({ planId: 'plan-erp', version: 4 }));
    expect(await harness.run('mutation { deleteRecoveryPlan(id: "plan-erp") { id version } }', author)).toEqual({ data: { deleteRecoveryPlan: { id: 'plan-erp', version: 4 } } });
    expect(harness.services.planning.calls[0]?.input).toEqual({ planId: 'plan-erp' });
  });

  it('validateRecoveryPlan: every finding, as an update of a plan when `id` is given', async () => {
    const findings = [
      { severity: 'ERROR', code: 'CYCLE', field: 'waves[1].dependsOn[0]', message: 'waves depend on each other in a cycle: A → B → A' },
      { severity: 'WARNING', code: 'SERVER_NOT_READY', field: 'waves[0]', message: '1 server not ready' },
      { severity: 'INFO', code: 'QUOTA_SPLIT', field: 'waves[0]', message: '150 servers launch as 2 DRS jobs' },
    ] as const;
    harness.services.planning.on('validateRecoveryPlan', () => ({ valid: false, findings }));
    const result = await harness.run('{ validateRecoveryPlan(input: { id: "plan-erp", name: "ERP", waves: [{ name: "A", protectionGroupIds: ["pg-1"] }] }) { valid findings { severity code field message } } }', viewer);
    expect(result).toEqual({ data: { validateRecoveryPlan: { valid: false, findings } } });
    expect(harness.services.planning.calls[0]?.input).toEqual({ planId: 'plan-erp', name: 'ERP', waves: [{ name: 'A', dependsOn: [], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-1'] }] });
  });

  it('recoveryPlanVersions and recoveryPlanDiff; an unknown plan is NOT_FOUND on `id`', async () => {
    harness.services.planning
      .on('listRecoveryPlanVersions', (input: { planId: string }) => {
        if (input.planId !== 'plan-erp') throw new NotFoundError(`Recovery plan ${input.planId} does not exist`, 'planId');
        return [
          { planId: 'plan-erp', version: 1, name: 'ERP', changeSummary: ['created'], createdAt: '2025-01-01T12:00:00.000Z', createdBy: 'alice' },
          { planId: 'plan-erp', version: 2, name: 'ERP', changeSummary: ['deleted'], createdAt: '2025-01-02T12:00:00.000Z', createdBy: 'bob', deleted: true },
        ];
      })
      .on('diffRecoveryPlanVersions', () => ({
        planId: 'plan-erp',
        fromVersion: 1,
        toVersion: 3,
        summary: ['wave App added'],
        waves: { added: ['App'], removed: [], changed: [{ waveId: 'wave-db', name: 'Database', changes: ['launch order PARALLEL -> SEQUENTIAL'] }] },
        planChanges: ['description'],
      }));
    const versions = await harness.run('{ recoveryPlanVersions(id: "plan-erp") { planId version name changeSummary createdAt createdBy deleted } }', viewer);
    expect(versions.data).toEqual({
      recoveryPlanVersions: [
        { planId: 'plan-erp', version: 1, name: 'ERP', changeSummary: ['created'], createdAt: '2025-01-01T12:00:00.000Z', createdBy: 'alice', deleted: false },
        { planId: 'plan-erp', version: 2, name: 'ERP', changeSummary: ['deleted'], createdAt: '2025-01-02T12:00:00.000Z', createdBy: 'bob', deleted: true },
      ],
    });
    const diff = await harness.run('{ recoveryPlanDiff(id: "plan-erp", fromVersion: 1, toVersion: 3) { planId fromVersion toVersion summary waves { added removed changed { waveId name changes } } planChanges } }', viewer);
    expect(diff.data).toEqual({
      recoveryPlanDiff: {
        planId: 'plan-erp',
        fromVersion: 1,
        toVersion: 3,
        summary: ['wave App added'],
        waves: { added: ['App'], removed: [], changed: [{ waveId: 'wave-db', name: 'Database', changes: ['launch order PARALLEL -> SEQUENTIAL'] }] },
        planChanges: ['description'],
      },
    });
    expect(harness.services.planning.calls.map((c) => c.input)).toEqual([{ planId: 'plan-erp' }, { planId: 'plan-erp', fromVersion: 1, toVersion: 3 }]);
    const missing = await harness.run('{ recoveryPlanVersions(id: "plan-nope") { version } }', viewer);
    expect(missing.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND', field: 'id' } });
  });

  it('importSrmPriorities: a dry run answers the definition and findings without a plan', async () => {
    harness.services.planning.on('importSrmPriorities', () => ({
      definition: { name: 'From SRM', waves: [{ name: 'Priority 1', launchOrder: 'PARALLEL', errorPolicy: 'STOP', protectionGroupIds: ['pg-db'] }, { name: 'Priority 3', dependsOn: ['Priority 1'], launchOrder: 'PARALLEL', errorPolicy: 'STOP', sourceServerIds: ['s-0000000000000000d'] }] },
      findings: [{ severity: 'WARNING', code: 'UNGROUPED_SERVER', field: 'priorities[1].sourceServerIds[0]', message: 's-0000000000000000d is in no protection group' }],
    }));
    const result = await harness.run(
      'mutation { importSrmPriorities(input: { name: "From SRM", dryRun: true, priorities: [{ priority: 1, protectionGroupIds: ["pg-db"] }, { priority: 3, sourceServerIds: ["s-0000000000000000d"], servers: [{ sourceServerId: "s-0000000000000000d", criticality: OPTIONAL }] }] }) { definition { name description waves { name dependsOn launchOrder errorPolicy protectionGroupIds sourceServerIds servers { sourceServerId } } settings { rtoTargetMinutes } } findings { field } plan { id } } }',
      author,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      importSrmPriorities: {
        definition: {
          name: 'From SRM',
          description: null,
          waves: [
            { name: 'Priority 1', dependsOn: [], launchOrder: 'PARALLEL', errorPolicy: 'STOP', protectionGroupIds: ['pg-db'], sourceServerIds: [], servers: [] },
            { name: 'Priority 3', dependsOn: ['Priority 1'], launchOrder: 'PARALLEL', errorPolicy: 'STOP', protectionGroupIds: [], sourceServerIds: ['s-0000000000000000d'], servers: [] },
          ],
          settings: null,
        },
        findings: [{ field: 'priorities[1].sourceServerIds[0]' }],
        plan: null,
      },
    });
    expect(harness.services.planning.calls[0]?.input).toEqual({
      name: 'From SRM',
      dryRun: true,
      priorities: [{ priority: 1, protectionGroupIds: ['pg-db'] }, { priority: 3, sourceServerIds: ['s-0000000000000000d'], servers: [{ sourceServerId: 's-0000000000000000d', criticality: 'OPTIONAL' }] }],
    });
  });

  it('importSrmPriorities saved: the plan with its findings', async () => {
    harness.services.planning.on('importSrmPriorities', () => ({ definition: { name: 'From SRM', waves: [] }, findings: [], plan: savedRecoveryPlanView() }));
    const result = await harness.run('mutation { importSrmPriorities(input: { name: "From SRM", priorities: [{ priority: 1, protectionGroupIds: ["pg-1"] }] }) { plan { id version findings { code } } } }', author);
    expect(result).toEqual({ data: { importSrmPriorities: { plan: { id: 'plan-1', version: 2, findings: [{ code: 'SERVER_NOT_READY' }] } } } });
    expect(harness.services.planning.calls[0]?.input).toEqual({ name: 'From SRM', dryRun: false, priorities: [{ priority: 1, protectionGroupIds: ['pg-1'] }] });
  });
});

describe('configuration documents', () => {
  it('exportConfiguration passes ids and format (YAML by default)', async () => {
    harness.services.planning.on('exportConfiguration', () => ({
      format: 'YAML',
      content: 'apiVersion: lifeboat/v1\nkind: ProtectionGroup\n',
      documents: [{ kind: 'ProtectionGroup', name: 'Database', id: 'pg-db' }, { kind: 'RecoveryPlan', name: 'Orders', id: '' }],
    }));
    const result = await harness.run('{ exportConfiguration(protectionGroupIds: ["pg-db"], planIds: ["plan-1"]) { format content documents { kind name id } } }', viewer);
    expect(result.data).toEqual({
      exportConfiguration: { format: 'YAML', content: 'apiVersion: lifeboat/v1\nkind: ProtectionGroup\n', documents: [{ kind: 'ProtectionGroup', name: 'Database', id: 'pg-db' }, { kind: 'RecoveryPlan', name: 'Orders', id: null }] },
    });
    expect(harness.services.planning.calls[0]?.input).toEqual({ protectionGroupIds: ['pg-db'], planIds: ['plan-1'], format: 'YAML' });
  });

  it('importConfiguration: what each document does, and the findings', async () => {
    harness.services.planning.on('importConfiguration', () => ({
      dryRun: true,
      documents: [{ kind: 'ProtectionGroup', name: 'Database', id: 'pg-db', action: 'UNCHANGED' }, { kind: 'RecoveryPlan', name: 'Orders', action: 'UPDATE' }],
      findings: [{ severity: 'INFO', code: 'MULTI_SITE', field: 'documents[1].waves', message: '2 sites' }],
    }));
    const result = await harness.run('mutation($content: String!) { importConfiguration(input: { content: $content, dryRun: true }) { dryRun documents { kind name id action } findings { severity field } } }', author, { content: 'apiVersion: lifeboat/v1' });
    expect(result.data).toEqual({
      importConfiguration: {
        dryRun: true,
        documents: [{ kind: 'ProtectionGroup', name: 'Database', id: 'pg-db', action: 'UNCHANGED' }, { kind: 'RecoveryPlan', name: 'Orders', id: null, action: 'UPDATE' }],
        findings: [{ severity: 'INFO', field: 'documents[1].waves' }],
      },
    });
    expect(harness.services.planning.calls[0]?.input).toEqual({ content: 'apiVersion: lifeboat/v1', dryRun: true });
  });
});
