import { describe, expect, it } from '@jest/globals';
import type { FieldProblem, ProtectionGroupView } from '@lifeboat/service-api';
import { ConflictError } from '@lifeboat/service-api';
import type { InventoryServer } from '../src/domain/inventory.js';
import { assertServersFree, changedProtectionGroup, matchesSelector, membershipChange, MAX_SERVERS_PER_GROUP, newProtectionGroup, parseProtectionGroupInput, protectionGroupProblems } from '../src/domain/protection-group.js';
import { ACCOUNT, REGION, byId, group, sequentialUuids, server, serverId } from './support/fixtures.js';

const INVENTORY = byId([server(1), server(2), server(3, { accountId: '999999999999' }), server(4, { region: 'eu-west-1' })], (s) => s.sourceServerId);
const input = (overrides: Record<string, unknown> = {}) => ({ name: 'Databases', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1), serverId(2)], ...overrides });

/** given these groups and this inventory / when a group is validated / then these problems. */
function given(existingGroups: ProtectionGroupView[] = [], inventory: ReadonlyMap<string, InventoryServer> = INVENTORY) {
  return {
    whenValidated: (candidate: unknown) => ({
      thenValid: () => expect(protectionGroupProblems(candidate, { existingGroups, inventory })).toEqual([]),
      thenProblems: (expected: FieldProblem[]) => expect(protectionGroupProblems(candidate, { existingGroups, inventory })).toEqual(expected),
    }),
  };
}

describe('protection group validation', () => {
  it('accepts servers of the inventory in the group’s account and region', () => {
    given().whenValidated(input()).thenValid();
  });

  it('refuses a name another group has, whatever its case', () => {
    given([group('pg-1', 'DATABASES', [9])]).whenValidated(input({ name: ' databases ' })).thenProblems([{ field: 'name', message: "a protection group named 'DATABASES' already exists" }]);
  });

  it('refuses servers unknown to the inventory, of another account or region, or listed twice', () => {
    given()
      .whenValidated(input({ sourceServerIds: [serverId(1), serverId(9), serverId(3), serverId(4), serverId(1), 'i-123'] }))
      .thenProblems([
        { field: 'sourceServerIds[1]', message: `${serverId(9)} is not in the inventory` },
        { field: 'sourceServerIds[2]', message: `${serverId(3)} is in account 999999999999, not in the group's account ${ACCOUNT}` },
        { field: 'sourceServerIds[3]', message: `${serverId(4)} is in region eu-west-1, not in the group's region ${REGION}` },
        { field: 'sourceServerIds[4]', message: `${serverId(1)} is already listed at sourceServerIds[0]` },
        { field: 'sourceServerIds[5]', message: 'must be a DRS source server id (s- and 17 characters)' },
      ]);
  });

  it('reports every problem at once', () => {
    given()
      .whenValidated({ name: '', accountId: '1234', region: 'Virginia', sourceServerIds: [] })
      .thenProblems([
        { field: 'name', message: 'is required' },
        { field: 'accountId', message: 'must be an AWS account id (12 digits)' },
        { field: 'region', message: 'must be an AWS region, like us-east-1' },
        { field: 'sourceServerIds', message: 'must list at least one source server (or give tagSelectors)' },
      ]);
  });

  it('refuses more servers than one transaction can claim', () => {
    const many = Array.from({ length: MAX_SERVERS_PER_GROUP + 1 }, (_, i) => server(100 + i));
    given([], byId(many, (s) => s.sourceServerId))
      .whenValidated(input({ sourceServerIds: many.map((s) => s.sourceServerId) }))
      .thenProblems([{ field: 'sourceServerIds', message: `must list at most ${MAX_SERVERS_PER_GROUP} source servers` }]);
  });

  it('answers the trimmed definition and its members once valid', () => {
    const { definition, members } = parseProtectionGroupInput(input({ name: '  Databases ' }), { existingGroups: [], inventory: INVENTORY });
    expect(definition).toEqual({ ...input(), tagSelectors: [], launchDefaults: {}, serverLaunchOverrides: [], postLaunchActions: [], verification: {}, serverVerificationOverrides: [] });
    expect(members.sourceServerIds).toEqual([serverId(1), serverId(2)]);
  });

  it('lets a group keep its own name when it changes', () => {
    given([group('pg-1', 'Databases', [1, 2])])
      .whenValidated(input())
      .thenProblems([{ field: 'name', message: "a protection group named 'Databases' already exists" }]);
    expect(protectionGroupProblems(input(), { existingGroups: [group('pg-1', 'Databases', [1, 2])], inventory: INVENTORY, protectionGroupId: 'pg-1' })).toEqual([]);
  });
});

describe('tag selectors', () => {
  const fleet = [
    server(11, { tags: { App: 'Orders', Tier: 'Database' } }),
    server(12, { tags: { App: 'Orders', Tier: 'Web' } }),
    server(13, { tags: { App: 'Billing', Tier: 'Database' } }),
    server(14, { tags: { App: 'Orders', Tier: 'Database' }, region: 'eu-west-1' }),
    server(15, { tags: { App: 'Orders' } }),
  ];
  const inventory = byId([...INVENTORY.values(), ...fleet], (s) => s.sourceServerId);
  const resolve = (candidate: Record<string, unknown>) => parseProtectionGroupInput(candidate, { existingGroups: [], inventory }).members;

  it('match a server only when it carries every tag of the selector', () => {
    expect(matchesSelector(fleet[0] as InventoryServer, { tags: { App: 'Orders', Tier: 'Database' } })).toBe(true);
    expect(matchesSelector(fleet[1] as InventoryServer, { tags: { App: 'Orders', Tier: 'Database' } })).toBe(false);
    expect(matchesSelector(fleet[4] as InventoryServer, { tags: { App: 'Orders', Tier: 'Database' } })).toBe(false);
  });

  it('resolve against the inventory of the group’s account and region, after the explicit servers', () => {
    const members = resolve(input({ sourceServerIds: [serverId(2)], tagSelectors: [{ tags: { App: 'Orders', Tier: 'Database' } }] }));
    expect(members.sourceServerIds).toEqual([serverId(2), serverId(11)]);
    expect(Object.fromEntries(members.matchedBy)).toEqual({ [serverId(2)]: 'EXPLICIT', [serverId(11)]: 'TAGS' });
  });

  it('add up: a server matching any selector is a member', () => {
    const members = resolve(input({ sourceServerIds: undefined, tagSelectors: [{ tags: { Tier: 'Database' } }, { tags: { Tier: 'Web' } }] }));
    expect(members.sourceServerIds).toEqual([serverId(11), serverId(12), serverId(13)]);
  });

  it('may match nothing yet: servers that appear later join', () => {
    expect(resolve(input({ sourceServerIds: undefined, tagSelectors: [{ tags: { App: 'Future' } }] })).sourceServerIds).toEqual([]);
  });

  it('refuse an empty selector, a bad tag value, and too many members', () => {
    const many = Array.from({ length: MAX_SERVERS_PER_GROUP + 1 }, (_, i) => server(200 + i, { tags: { Big: 'yes' } }));
    given([], byId(many, (s) => s.sourceServerId))
      .whenValidated(input({ sourceServerIds: undefined, tagSelectors: [{ tags: {} }, { tags: { App: 7 } }, 'x', { tags: { Big: 'yes' } }] }))
      .thenProblems([
        { field: 'tagSelectors[0].tags', message: 'must name at least one tag' },
        { field: 'tagSelectors[1].tags.App', message: 'must be a tag value (a string of at most 256 characters)' },
        { field: 'tagSelectors[2]', message: 'must be an object with tags, like { tags: { App: "Orders" } }' },
        { field: 'tagSelectors', message: `the group would hold ${MAX_SERVERS_PER_GROUP + 1} servers, at most ${MAX_SERVERS_PER_GROUP} fit: narrow the selectors or split the group` },
      ]);
  });
});

describe('launch settings and post-launch actions', () => {
  it('accepts defaults, overrides of members and SSM documents', () => {
    given()
      .whenValidated(
        input({
          launchDefaults: { subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'], copyPrivateIp: true, copyTags: true, launchDisposition: 'STARTED', rightSizing: 'BASIC' },
          serverLaunchOverrides: [{ sourceServerId: serverId(2), instanceType: 'r5.2xlarge', rightSizing: 'NONE' }],
          postLaunchActions: [{ documentName: 'AWS-RunShellScript', parameters: [{ name: 'commands', value: 'uptime' }] }],
        }),
      )
      .thenValid();
  });

  it('refuses bad values, overrides of non-members, an instance type DRS would right-size away, and bad documents', () => {
    given()
      .whenValidated(
        input({
          launchDefaults: { subnetId: 'subnet-x', securityGroupIds: [], launchDisposition: 'RUNNING', instanceType: 'm5.large', speed: 'fast' },
          serverLaunchOverrides: [{ sourceServerId: serverId(9), copyTags: 'yes' }],
          postLaunchActions: [{ documentName: 'bad name!' }, { documentName: 'AWS-Check', documentVersion: 'latest', parameters: [{ name: 'with space', value: 'x' }] }],
        }),
      )
      .thenProblems([
        { field: 'launchDefaults.speed', message: 'is not a launch setting (subnetId, securityGroupIds, instanceType, copyPrivateIp, copyTags, launchDisposition, rightSizing)' },
        { field: 'launchDefaults.subnetId', message: 'must be a subnet id (subnet-…)' },
        { field: 'launchDefaults.securityGroupIds', message: 'must list at least one security group (or be left out)' },
        { field: 'launchDefaults.launchDisposition', message: 'must be one of STARTED, STOPPED' },
        { field: 'serverLaunchOverrides[0].copyTags', message: 'must be true or false' },
        { field: 'postLaunchActions[0].documentName', message: 'must be the name or ARN of an SSM document (letters, digits, -, / and :)' },
        { field: 'postLaunchActions[1].documentVersion', message: 'must be $DEFAULT, $LATEST or a version number' },
        { field: 'postLaunchActions[1].parameters[0].name', message: 'must be a parameter name (letters and digits)' },
        { field: 'serverLaunchOverrides[0].sourceServerId', message: `${serverId(9)} is not a member of this group` },
      ]);
    given()
      .whenValidated(input({ launchDefaults: { instanceType: 'm5.large', rightSizing: 'BASIC' }, serverLaunchOverrides: [{ sourceServerId: serverId(9), copyTags: true }] }))
      .thenProblems([
        { field: 'serverLaunchOverrides[0].sourceServerId', message: `${serverId(9)} is not a member of this group` },
        { field: 'launchDefaults', message: 'instanceType m5.large needs rightSizing NONE: with BASIC, DRS chooses the instance type itself' },
      ]);
  });

  it('keeps each document’s DRS action id from one revision to the next, and orders actions by the list', () => {
    const uuids = sequentialUuids();
    const first = parseProtectionGroupInput(input({ postLaunchActions: [{ documentName: 'A-Doc' }, { documentName: 'B-Doc' }] }), { existingGroups: [], inventory: INVENTORY });
    const created = newProtectionGroup(first.definition, first.members, { protectionGroupId: 'pg-1', at: '2025-01-01T00:00:00.000Z', by: 'paul', newUuid: uuids });
    expect(created.postLaunchActions.map((a) => [a.documentName, a.actionId, a.order, a.optional, a.category, a.documentVersion])).toEqual([
      ['A-Doc', '00000000-0000-4000-8000-000000000001', 100, true, 'OTHER', '$DEFAULT'],
      ['B-Doc', '00000000-0000-4000-8000-000000000002', 101, true, 'OTHER', '$DEFAULT'],
    ]);
    const second = parseProtectionGroupInput(input({ postLaunchActions: [{ documentName: 'B-Doc' }, { documentName: 'C-Doc' }] }), { existingGroups: [], inventory: INVENTORY });
    const changed = changedProtectionGroup(created, second.definition, second.members, { at: '2025-01-02T00:00:00.000Z', by: 'petra', newUuid: uuids });
    expect(changed.postLaunchActions.map((a) => [a.documentName, a.actionId, a.order])).toEqual([
      ['B-Doc', '00000000-0000-4000-8000-000000000002', 100],
      ['C-Doc', '00000000-0000-4000-8000-000000000003', 101],
    ]);
    expect(changed).toMatchObject({ revision: 2, createdBy: 'paul', updatedBy: 'petra', updatedAt: '2025-01-02T00:00:00.000Z' });
  });
});

describe('a server is in at most one group', () => {
  it('lets free servers through', () => {
    expect(() => assertServersFree([], new Map())).not.toThrow();
  });

  it('refuses taken servers, naming them and the groups that have them', () => {
    const groups = byId([group('pg-1', 'Databases', [1, 2]), group('pg-2', 'Web', [5])], (g) => g.protectionGroupId);
    const attempt = () =>
      assertServersFree(
        [
          { sourceServerId: serverId(1), protectionGroupId: 'pg-1' },
          { sourceServerId: serverId(2), protectionGroupId: 'pg-1' },
          { sourceServerId: serverId(5), protectionGroupId: 'pg-2' },
        ],
        groups,
      );
    expect(attempt).toThrow(ConflictError);
    expect(attempt).toThrow(`${serverId(1)}, ${serverId(2)} belong to protection group 'Databases' (pg-1); ${serverId(5)} belongs to protection group 'Web' (pg-2)`);
  });
});

describe('a change of members', () => {
  it('takes the new servers and gives up the old ones', () => {
    expect(membershipChange([serverId(1), serverId(2)], [serverId(2), serverId(3)])).toEqual({ added: [serverId(3)], removed: [serverId(1)] });
  });
});
