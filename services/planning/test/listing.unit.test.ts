/**
 * Paging and filters of listProtectionGroups and listRecoveryPlans: the pure parts (domain/listing.ts)
 * given / when / then, and the two operations through the API on the in-memory twins.
 */
import { describe, expect, it } from '@jest/globals';
import type { ApiResponse, ProtectionGroupView, RecoveryPlanView } from '@lifeboat/service-api';
import type { Page, PagePosition } from '../src/domain/listing.js';
import { decodePageToken, encodePageToken, groupMatches, pageOf, parseGroupListInput, parsePlanListInput, planMatches } from '../src/domain/listing.js';
import { ACCOUNT, REGION, group, server, serverId } from './support/fixtures.js';
import { planningHarness, viewer } from './support/harness.js';
import { validationProblemsOf } from '@lifeboat/testing';

const positionOf = (item: { name: string; id: string }): PagePosition => item;
const named = (...names: string[]) => names.map((name, i) => ({ name, id: `pg-${i + 1}` }));

const problemsOf = validationProblemsOf;

describe('a page of a list ordered by name', () => {
  it('given more items than the limit, when the first page is taken, then it holds the first by name (case-insensitively) and a token', () => {
    // given
    const items = named('web', 'Databases', 'app', 'Batch');
    // when
    const page = pageOf('listProtectionGroups', items, positionOf, { limit: 2, filter: {} });
    // then
    expect(page.items.map((i) => i.name)).toEqual(['app', 'Batch']);
    expect(page.nextToken).toEqual(expect.any(String));
  });

  it('given the token of a page, when the next page is taken, then it starts after the last item even if items were added or removed meanwhile', () => {
    // given
    const first = pageOf('listProtectionGroups', named('app', 'Batch', 'Databases', 'web'), positionOf, { limit: 2, filter: {} });
    const after = decodePageToken('listProtectionGroups', {}, first.nextToken ?? '');
    // when: 'app' was deleted and 'Archive' (before the token) and 'cache' (after it) were saved
    const changed = [...named('Batch', 'Databases', 'web'), { name: 'Archive', id: 'pg-8' }, { name: 'cache', id: 'pg-9' }];
    const second = pageOf('listProtectionGroups', changed, positionOf, { limit: 2, filter: {}, after });
    // then
    expect(second.items.map((i) => i.name)).toEqual(['cache', 'Databases']);
    const third = pageOf('listProtectionGroups', changed, positionOf, { limit: 2, filter: {}, after: decodePageToken('listProtectionGroups', {}, second.nextToken ?? '') });
    expect(third).toEqual({ items: [{ name: 'web', id: 'pg-3' }], nextToken: null });
  });

  it('given exactly the limit left, when the page is taken, then there is no next token', () => {
    expect(pageOf('listRecoveryPlans', named('a', 'b'), positionOf, { limit: 2, filter: {} }).nextToken).toBeNull();
  });
});

describe('page tokens', () => {
  const token = encodePageToken('listProtectionGroups', { region: REGION }, { name: 'Databases', id: 'pg-1' });

  it('given a token, when read with the same filter, then it names the position it was made for', () => {
    expect(decodePageToken('listProtectionGroups', { region: REGION }, token)).toEqual({ name: 'Databases', id: 'pg-1' });
  });

  it('given a token, when read with another filter or by the other list, then it is refused at nextToken', () => {
    expect(problemsOf(() => decodePageToken('listProtectionGroups', { region: 'eu-west-1' }, token))).toEqual([{ field: 'nextToken', message: 'belongs to a listing with another filter: list again from the first page' }]);
    expect(problemsOf(() => decodePageToken('listRecoveryPlans', { region: REGION }, token))).toEqual([{ field: 'nextToken', message: 'is a token of listProtectionGroups, not of listRecoveryPlans' }]);
  });

  it('given a forged or damaged token, when read, then it is refused at nextToken', () => {
    const payload = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<string, string>;
    const forged = Buffer.from(JSON.stringify({ ...payload, n: 'Zebra' }), 'utf8').toString('base64url');
    for (const bad of [forged, 'not-a-token', `${token}x`, Buffer.from('[1,2]').toString('base64url'), 'a'.repeat(3000)]) {
      expect(problemsOf(() => decodePageToken('listProtectionGroups', { region: REGION }, bad))).toEqual([{ field: 'nextToken', message: 'is not a token returned by listProtectionGroups' }]);
    }
  });
});

describe('list inputs', () => {
  it('given no input, when parsed, then the first page of 100 without a filter', () => {
    expect(parseGroupListInput(undefined)).toEqual({ limit: 100, filter: {} });
    expect(parsePlanListInput({ limit: null, nextToken: null, filter: null })).toEqual({ limit: 100, filter: {} });
  });

  it('given filters, when parsed, then the search is lower-cased and empty texts are no filter', () => {
    expect(parseGroupListInput({ limit: 5, filter: { search: 'Orders', accountId: ACCOUNT, region: REGION, sourceServerId: serverId(1) } })).toEqual({
      limit: 5,
      filter: { search: 'orders', accountId: ACCOUNT, region: REGION, sourceServerId: serverId(1) },
    });
    expect(parsePlanListInput({ filter: { search: '', protectionGroupId: 'pg-1' } })).toEqual({ limit: 100, filter: { protectionGroupId: 'pg-1' } });
  });

  it('given bad input, when parsed, then every problem is named at once', () => {
    expect(problemsOf(() => parseGroupListInput({ limit: 1001, nextToken: '', sort: 'name', filter: { accountId: '12', region: 'mars', sourceServerId: 'i-1', owner: 'x' } }))).toEqual([
      { field: 'sort', message: 'is not an input of listProtectionGroups (limit, nextToken, filter)' },
      { field: 'limit', message: 'must be an integer from 1 to 1000' },
      { field: 'nextToken', message: 'must be a token returned by listProtectionGroups' },
      { field: 'filter.owner', message: 'is not a filter (filters: search, accountId, region, sourceServerId)' },
      { field: 'filter.accountId', message: 'must be a 12-digit AWS account id' },
      { field: 'filter.region', message: 'must be an AWS region such as us-east-1' },
      { field: 'filter.sourceServerId', message: 'must be a DRS source server id (s- and 17 characters)' },
    ]);
    expect(problemsOf(() => parsePlanListInput({ limit: 0, filter: { protectionGroupId: 'pg 1', search: 7 } }))).toEqual([
      { field: 'limit', message: 'must be an integer from 1 to 1000' },
      { field: 'filter.search', message: 'must be text of at most 256 characters' },
      { field: 'filter.protectionGroupId', message: 'must be a protection group id' },
    ]);
    expect(problemsOf(() => parsePlanListInput({ limit: 1.5 }))).toEqual([{ field: 'limit', message: 'must be an integer from 1 to 1000' }]);
  });

  it('given a token of a search, when the same search is given in another case, then the token is good', () => {
    const token = encodePageToken('listRecoveryPlans', { search: 'orders' }, { name: 'Orders A', id: 'plan-1' });
    expect(parsePlanListInput({ nextToken: token, filter: { search: 'ORDERS' } }).after).toEqual({ name: 'Orders A', id: 'plan-1' });
  });
});

describe('filters', () => {
  it('given a group, when filtered, then every given filter must match', () => {
    const orders = group('pg-1', 'Orders DB', [1, 2]);
    expect(groupMatches(orders, { search: 'ders d' })).toBe(true);
    expect(groupMatches(orders, { search: 'ders d', accountId: ACCOUNT, region: REGION, sourceServerId: serverId(2) })).toBe(true);
    expect(groupMatches(orders, { search: 'billing' })).toBe(false);
    expect(groupMatches(orders, { region: 'eu-west-1' })).toBe(false);
    expect(groupMatches(orders, { accountId: '111122223333' })).toBe(false);
    expect(groupMatches(orders, { sourceServerId: serverId(3) })).toBe(false);
  });

  it('given a plan, when filtered by group, then it matches when one of its waves recovers the group', () => {
    const plan = { name: 'Orders', waves: [{ protectionGroupIds: ['pg-1'] }, { protectionGroupIds: ['pg-2', 'pg-3'] }] } as Pick<RecoveryPlanView, 'name' | 'waves'>;
    expect(planMatches(plan, { protectionGroupId: 'pg-3', search: 'ord' })).toBe(true);
    expect(planMatches(plan, { protectionGroupId: 'pg-4' })).toBe(false);
    expect(planMatches(plan, { search: 'billing' })).toBe(false);
  });
});

describe('listProtectionGroups and listRecoveryPlans through the API', () => {
  const fleet = [1, 2, 3, 4, 5, 6].map((n) => server(n));
  const groupInput = (name: string, servers: number[], extra: Record<string, unknown> = {}) => ({ name, accountId: ACCOUNT, region: REGION, sourceServerIds: servers.map(serverId), ...extra });

  async function seeded() {
    const api = planningHarness(...fleet, server(7, { region: 'eu-west-1' }));
    await api.ok('createProtectionGroup', groupInput('Web', [1])); // pg-1
    await api.ok('createProtectionGroup', groupInput('orders db', [2, 3])); // pg-2
    await api.ok('createProtectionGroup', groupInput('Batch', [4])); // pg-3
    await api.ok('createProtectionGroup', groupInput('Orders app', [5])); // pg-4
    await api.ok('createProtectionGroup', { ...groupInput('Ireland', []), region: 'eu-west-1', sourceServerIds: [serverId(7)] }); // pg-5
    await api.ok('createRecoveryPlan', { name: 'Orders', waves: [{ name: 'DB', protectionGroupIds: ['pg-2'] }, { name: 'App', dependsOn: ['DB'], protectionGroupIds: ['pg-4'] }] });
    const batch = await api.ok<RecoveryPlanView>('createRecoveryPlan', { name: 'Batch night', waves: [{ name: 'All', protectionGroupIds: ['pg-3'] }] });
    const web = await api.ok<RecoveryPlanView>('createRecoveryPlan', { name: 'web only', waves: [{ name: 'All', protectionGroupIds: ['pg-1'] }] });
    return Object.assign(api, { plans: { batch: batch.planId, web: web.planId } });
  }

  async function allPages<T>(api: Awaited<ReturnType<typeof seeded>>, operation: string, input: Record<string, unknown>): Promise<{ items: T[]; pages: number }> {
    const items: T[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const page: Page<T> = await api.ok<Page<T>>(operation, { ...input, ...(nextToken ? { nextToken } : {}) }, viewer);
      items.push(...page.items);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    return { items, pages };
  }

  it('pages groups by name with a token, and filters them', async () => {
    const api = await seeded();
    const all = await allPages<ProtectionGroupView>(api, 'listProtectionGroups', { limit: 2 });
    expect(all.items.map((g) => g.name)).toEqual(['Batch', 'Ireland', 'Orders app', 'orders db', 'Web']);
    expect(all.pages).toBe(3);
    const names = async (filter: Record<string, unknown>) => (await allPages<ProtectionGroupView>(api, 'listProtectionGroups', { limit: 1, filter })).items.map((g) => g.name);
    expect(await names({ search: 'ORDERS' })).toEqual(['Orders app', 'orders db']);
    expect(await names({ region: 'eu-west-1' })).toEqual(['Ireland']);
    expect(await names({ accountId: ACCOUNT, region: REGION, search: 'b' })).toEqual(['Batch', 'orders db', 'Web']);
    expect(await names({ sourceServerId: serverId(3) })).toEqual(['orders db']);
    expect(await names({ sourceServerId: serverId(6) })).toEqual([]);
  });

  it('pages the latest plan versions by name, leaves deleted plans out, and filters by name and group', async () => {
    const api = await seeded();
    await api.ok('updateRecoveryPlan', { planId: api.plans.batch, name: 'Batch night', waves: [{ name: 'All', protectionGroupIds: ['pg-3', 'pg-1'] }] });
    await api.ok('deleteRecoveryPlan', { planId: api.plans.web });
    const all = await allPages<RecoveryPlanView>(api, 'listRecoveryPlans', { limit: 1 });
    expect(all.items.map((p) => [p.name, p.version])).toEqual([
      ['Batch night', 2],
      ['Orders', 1],
    ]);
    const names = async (filter: Record<string, unknown>) => (await allPages<RecoveryPlanView>(api, 'listRecoveryPlans', { filter })).items.map((p) => p.name);
    // The latest version of 'Batch night' added pg-1 to its wave.
    expect(await names({ protectionGroupId: 'pg-1' })).toEqual(['Batch night']);
    expect(await names({ protectionGroupId: 'pg-4', search: 'ORD' })).toEqual(['Orders']);
    expect(await names({ search: 'web' })).toEqual([]);
  });

  it('refuses a token of another filter, a forged token and a limit out of range with BAD_USER_INPUT, naming the field', async () => {
    const api = await seeded();
    const first = await api.ok<Page<ProtectionGroupView>>('listProtectionGroups', { limit: 1, filter: { search: 'o' } }, viewer);
    const refused = (response: ApiResponse<unknown>) => (response.ok ? undefined : { code: response.error.code, field: response.error.problems?.[0]?.field });
    expect(refused(await api.call('listProtectionGroups', { limit: 1, nextToken: first.nextToken, filter: { search: 'web' } }, viewer))).toEqual({ code: 'BAD_USER_INPUT', field: 'nextToken' });
    expect(refused(await api.call('listRecoveryPlans', { nextToken: first.nextToken }, viewer))).toEqual({ code: 'BAD_USER_INPUT', field: 'nextToken' });
    expect(refused(await api.call('listProtectionGroups', { nextToken: Buffer.from('{"o":"listProtectionGroups","q":"x","n":"A","i":"pg-1","c":"y"}').toString('base64url') }, viewer))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'nextToken',
    });
    expect(refused(await api.call('listRecoveryPlans', { limit: 1001 }, viewer))).toEqual({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect(refused(await api.call('listProtectionGroups', { limit: 0 }, viewer))).toEqual({ code: 'BAD_USER_INPUT', field: 'limit' });
  });
});

describe('getProtectionGroups', () => {
  it('answers the groups asked for in one call, in the order asked, leaving out unknown ids', async () => {
    const api = planningHarness(server(1), server(2));
    await api.ok('createProtectionGroup', { name: 'A', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(1)] });
    await api.ok('createProtectionGroup', { name: 'B', accountId: ACCOUNT, region: REGION, sourceServerIds: [serverId(2)] });
    const groups = await api.ok<ProtectionGroupView[]>('getProtectionGroups', { protectionGroupIds: ['pg-2', 'pg-9', 'pg-1', 'pg-2'] }, viewer);
    expect(groups.map((g) => g.name)).toEqual(['B', 'A']);
    expect(groups[1]).toEqual(await api.ok('getProtectionGroup', { protectionGroupId: 'pg-1' }, viewer));
  });

  it('refuses an empty or too long list and bad ids, naming them, and callers without read', async () => {
    const api = planningHarness();
    expect(await api.call('getProtectionGroups', { protectionGroupIds: [] }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', problems: [{ field: 'protectionGroupIds' }] } });
    expect(await api.call('getProtectionGroups', { protectionGroupIds: Array.from({ length: 101 }, (_, i) => `pg-${i}`) }, viewer)).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT' } });
    expect(await api.call('getProtectionGroups', { protectionGroupIds: ['pg-1', 'pg 2', 3] }, viewer)).toMatchObject({
      ok: false,
      error: { code: 'BAD_USER_INPUT', problems: [{ field: 'protectionGroupIds[1]' }, { field: 'protectionGroupIds[2]' }] },
    });
    expect(await api.call('getProtectionGroups', { protectionGroupIds: ['pg-1'] }, { userId: 'u-0', username: 'nobody', roles: [] })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
