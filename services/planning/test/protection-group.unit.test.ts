import { describe, expect, it } from '@jest/globals';
import type { FieldProblem, ProtectionGroupView } from '@lifeboat/service-api';
import { ConflictError } from '@lifeboat/service-api';
import type { InventoryServer } from '../src/domain/inventory.js';
import { assertServersFree, MAX_SERVERS_PER_GROUP, parseProtectionGroupInput, protectionGroupProblems } from '../src/domain/protection-group.js';
import { ACCOUNT, REGION, byId, group, server, serverId } from './support/fixtures.js';

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
        { field: 'sourceServerIds', message: 'must list at least one source server' },
      ]);
  });

  it('refuses more servers than one transaction can claim', () => {
    const many = Array.from({ length: MAX_SERVERS_PER_GROUP + 1 }, (_, i) => server(100 + i));
    given([], byId(many, (s) => s.sourceServerId))
      .whenValidated(input({ sourceServerIds: many.map((s) => s.sourceServerId) }))
      .thenProblems([{ field: 'sourceServerIds', message: `must list at most ${MAX_SERVERS_PER_GROUP} source servers` }]);
  });

  it('answers the trimmed input once valid', () => {
    expect(parseProtectionGroupInput(input({ name: '  Databases ' }), { existingGroups: [], inventory: INVENTORY })).toEqual(input());
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
