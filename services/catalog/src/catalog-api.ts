import type { Actor } from '@lifeboat/events';
import { newEventId } from '@lifeboat/events';
import type { Caller, CatalogOperations, CatalogServiceOperations, FieldProblem, Operation, ResolvedTargetAccess, SourceServerFilter, SourceServerView, TargetAccountView, TargetRegionSyncView } from '@lifeboat/service-api';
import { ConflictError, NotFoundError, ValidationError, operation } from '@lifeboat/service-api';
import { ACCOUNT_ID, REGION, SOURCE_SERVER_ID } from './domain/inventory.js';
import type { HomeTarget, TargetAccount } from './domain/targets.js';
import { parseAccountId, parseTargetInput, parseTargetUpdate, syncTargetsOf, targetKeyOf } from './domain/targets.js';
import type { SyncResult, SyncScope } from './inventory-sync.js';
import type { ServerQuery, ServerStore, SyncStatus, TargetStore } from './ports.js';
import type { TargetAccess } from './target-checks.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** Most ids getSourceServers takes. */
export const MAX_BATCH_IDS = 100;

/** The operations the gateway calls, and those for Lifeboat's services only. */
type AllCatalogOperations = CatalogOperations & CatalogServiceOperations;
type CatalogApi = { [K in keyof AllCatalogOperations]: Operation<AllCatalogOperations[K]['input'], AllCatalogOperations[K]['result']> };

export interface CatalogApiDeps {
  store: ServerStore;
  targets: TargetStore;
  home: HomeTarget;
  sync(actor: Actor, scope: SyncScope): Promise<SyncResult>;
  /** Problems reaching a target (STS AssumeRole, DRS in each region); none when it is reachable. */
  checkAccess: TargetAccess;
  /** Forgets cached credentials of a role whose configuration changed. */
  forgetRole?(roleArn: string, externalId?: string): void;
  now?: () => Date;
}

/** Who caused an event, from the caller of an API operation. */
export function actorOf(caller: Caller): Actor {
  return { type: caller.userId.startsWith('service:') ? 'service' : 'user', id: caller.userId, name: caller.username };
}

function isObject(input: unknown): input is Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input);
}

const FILTER_FIELDS = ['accountId', 'region', 'replicationState', 'ready', 'protectionGroupId', 'unassigned', 'tag', 'search'];
const LIST_FIELDS = ['limit', 'nextToken', 'filter', 'sort'];

function parseFilter(raw: unknown, problems: FieldProblem[]): SourceServerFilter {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) {
    problems.push({ field: 'filter', message: 'must be an object' });
    return {};
  }
  const filter: SourceServerFilter = {};
  for (const key of Object.keys(raw)) if (!FILTER_FIELDS.includes(key)) problems.push({ field: `filter.${key}`, message: `is not a filter (filters: ${FILTER_FIELDS.join(', ')})` });
  const text = (key: string, pattern: RegExp | undefined, message: string): string | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '' || value.length > 256 || (pattern && !pattern.test(value))) {
      problems.push({ field: `filter.${key}`, message });
      return undefined;
    }
    return value;
  };
  const flag = (key: string): boolean | undefined => {
    const value = raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') problems.push({ field: `filter.${key}`, message: 'must be true or false' });
    return typeof value === 'boolean' ? value : undefined;
  };
  const accountId = text('accountId', ACCOUNT_ID, 'must be a 12-digit AWS account id');
  const region = text('region', REGION, 'must be an AWS region such as us-east-1');
  const replicationState = text('replicationState', /^[A-Z_]{1,40}$/, 'must be a DRS replication state such as CONTINUOUS or STALLED');
  const protectionGroupId = text('protectionGroupId', undefined, 'must be a protection group id');
  const search = raw.search === '' ? undefined : text('search', undefined, 'must be text of at most 256 characters');
  const ready = flag('ready');
  const unassigned = flag('unassigned');
  if (protectionGroupId !== undefined && unassigned === true) problems.push({ field: 'filter.unassigned', message: 'cannot be true together with a protectionGroupId' });
  let tag: SourceServerFilter['tag'];
  if (raw.tag !== undefined && raw.tag !== null) {
    const { key, value } = (isObject(raw.tag) ? raw.tag : {}) as { key?: unknown; value?: unknown };
    if (typeof key !== 'string' || key === '' || key.length > 128) problems.push({ field: 'filter.tag.key', message: 'must be a tag key (1 to 128 characters)' });
    else if (value !== undefined && value !== null && (typeof value !== 'string' || value.length > 256)) problems.push({ field: 'filter.tag.value', message: 'must be a tag value (at most 256 characters)' });
    else tag = typeof value === 'string' ? { key, value } : { key };
  }
  const all = { accountId, region, replicationState, ready, protectionGroupId, unassigned, tag, search };
  for (const [key, value] of Object.entries(all)) if (value !== undefined) Object.assign(filter, { [key]: value });
  return filter;
}

/** listSourceServers' input, validated at the edge (every problem at once). */
export function parseListInput(input: unknown): ServerQuery {
  const raw = isObject(input) ? input : {};
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(raw)) if (!LIST_FIELDS.includes(key)) problems.push({ field: key, message: `is not an input of listSourceServers (${LIST_FIELDS.join(', ')})` });
  const { limit, nextToken, sort } = raw;
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)) {
    problems.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  }
  if (nextToken !== undefined && nextToken !== null && (typeof nextToken !== 'string' || nextToken === '')) {
    problems.push({ field: 'nextToken', message: 'must be a token returned by listSourceServers' });
  }
  let descending = false;
  if (sort !== undefined && sort !== null) {
    const { field, direction } = (isObject(sort) ? sort : {}) as { field?: unknown; direction?: unknown };
    if (field !== 'HOSTNAME') problems.push({ field: 'sort.field', message: 'must be HOSTNAME' });
    if (direction !== undefined && direction !== 'ASC' && direction !== 'DESC') problems.push({ field: 'sort.direction', message: 'must be ASC or DESC' });
    descending = direction === 'DESC';
  }
  const filter = parseFilter(raw.filter, problems);
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    limit: typeof limit === 'number' ? limit : DEFAULT_PAGE_SIZE,
    ...(typeof nextToken === 'string' ? { nextToken } : {}),
    filter,
    descending,
  };
}

/**
 * `lastSeenAt` of a server: when it was last written from DRS, or the last successful sync of its
 * account and region if later (every live server of a successful sync was listed by it; the sync
 * writes only the servers that changed).
 */
function withLastSeen(server: SourceServerView, syncedAt: Map<string, string>): SourceServerView {
  const synced = syncedAt.get(targetKeyOf(server));
  return synced && synced > server.lastSeenAt ? { ...server, lastSeenAt: synced } : server;
}

function lastSuccessByTarget(statuses: readonly SyncStatus[]): Map<string, string> {
  return new Map(statuses.flatMap((s) => (s.lastSuccessAt ? [[targetKeyOf(s), s.lastSuccessAt] as const] : [])));
}

function syncViewOf(region: string, status: SyncStatus | undefined): TargetRegionSyncView {
  if (!status) return { region, status: 'NEVER_SYNCED' };
  const { accountId: _account, region: _region, ...rest } = status;
  return { region, ...rest };
}

function accountViewOf(account: Pick<TargetAccount, 'accountId' | 'regions' | 'roleArn' | 'externalId'> & Partial<TargetAccount>, isDefault: boolean, statuses: Map<string, SyncStatus>): TargetAccountView {
  const view: TargetAccountView = {
    accountId: account.accountId,
    regions: account.regions,
    hasExternalId: Boolean(account.externalId),
    isDefault,
    sync: account.regions.map((region) => syncViewOf(region, statuses.get(targetKeyOf({ accountId: account.accountId, region })))),
  };
  const optional = { roleArn: account.roleArn, createdAt: account.createdAt, createdBy: account.createdBy, updatedAt: account.updatedAt, updatedBy: account.updatedBy };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) Object.assign(view, { [key]: value });
  return view;
}

/** The operations of the catalog's `api` function (contracts/catalog.ts CatalogOperations). */
export function createCatalogApi(deps: CatalogApiDeps): CatalogApi {
  const now = deps.now ?? (() => new Date());

  async function statusesByTarget(): Promise<Map<string, SyncStatus>> {
    return new Map((await deps.targets.statuses()).map((s) => [targetKeyOf(s), s]));
  }

  async function accountView(accountId: string): Promise<TargetAccountView> {
    const account = await deps.targets.get(accountId);
    const statuses = await statusesByTarget();
    if (account) return accountViewOf(account, false, statuses);
    if (accountId === deps.home.accountId) return accountViewOf({ accountId, regions: [deps.home.region] }, true, statuses);
    throw new NotFoundError(`account ${accountId} is not a target`, 'accountId');
  }

  /**
   * Removes the servers of every account and region no longer synced (the table's stream
   * announces each removal), and forgets their sync status. Done before the configuration is
   * saved: should saving fail, the next sync finds the servers again.
   */
  async function dropTargets(before: TargetAccount[], after: TargetAccount[], actor: Actor): Promise<number> {
    const kept = new Set(syncTargetsOf(after, deps.home).map(targetKeyOf));
    const dropped = syncTargetsOf(before, deps.home).filter((t) => !kept.has(targetKeyOf(t)));
    let removed = 0;
    const at = now();
    for (const target of dropped) {
      const servers = await deps.store.listTarget(target.accountId, target.region);
      await deps.store.write(
        servers.map((previous) => ({ kind: 'remove', previous })),
        { at: at.toISOString(), actor, correlationId: `target-${target.accountId}-${newEventId(at)}` },
      );
      await deps.targets.forgetSync(target.accountId, target.region);
      removed += servers.length;
    }
    return removed;
  }

  async function refuseUnreachable(account: Pick<TargetAccount, 'accountId' | 'regions' | 'roleArn' | 'externalId'>): Promise<void> {
    const problems = await deps.checkAccess(account);
    if (problems.length > 0) throw new ValidationError(problems);
  }

  /**
   * resolveTargetAccess: a target account as configured, external id included (for Lifeboat's
   * services acting in it; never logged, never answered to users), or the account Lifeboat runs in.
   */
  async function resolveTargetAccess(input: unknown): Promise<ResolvedTargetAccess> {
    const raw = isObject(input) ? input : {};
    const problems: FieldProblem[] = Object.keys(raw)
      .filter((key) => key !== 'accountId')
      .map((key) => ({ field: key, message: 'is not an input of resolveTargetAccess (accountId)' }));
    const id = parseAccountId(raw);
    if (!id.ok) problems.unshift(...id.problems);
    if (problems.length > 0 || !id.ok) throw new ValidationError(problems);
    const account = await deps.targets.get(id.accountId);
    if (account) {
      return {
        accountId: account.accountId,
        regions: [...account.regions],
        ...(account.roleArn ? { roleArn: account.roleArn } : {}),
        ...(account.externalId ? { externalId: account.externalId } : {}),
        isDefault: false,
      };
    }
    if (id.accountId === deps.home.accountId) return { accountId: id.accountId, regions: [deps.home.region], isDefault: true };
    throw new NotFoundError(`account ${id.accountId} is not a target account of the catalog`, 'accountId');
  }

  return {
    listSourceServers: operation('read', async (input) => {
      const query = parseListInput(input);
      const [page, statuses] = await Promise.all([deps.store.query(query), deps.targets.statuses()]);
      const syncedAt = lastSuccessByTarget(statuses);
      return { items: page.items.map((server) => withLastSeen(server, syncedAt)), nextToken: page.nextToken };
    }),

    getSourceServer: operation('read', async (input) => {
      const sourceServerId = isObject(input) ? input.sourceServerId : undefined;
      if (typeof sourceServerId !== 'string' || !SOURCE_SERVER_ID.test(sourceServerId)) throw new ValidationError('must be a DRS source server id (s- and 17 characters)', 'sourceServerId');
      const stored = await deps.store.get(sourceServerId);
      if (!stored) throw new NotFoundError(`the catalog knows no source server ${sourceServerId}`, 'sourceServerId');
      return withLastSeen(stored.server, lastSuccessByTarget(await deps.targets.statuses()));
    }),

    // One call for the servers a gateway request looks up (its per-request batching); each read as getSourceServer's.
    getSourceServers: operation('read', async (input) => {
      const ids = isObject(input) ? input.sourceServerIds : undefined;
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_BATCH_IDS) throw new ValidationError(`must be a list of 1 to ${MAX_BATCH_IDS} source server ids`, 'sourceServerIds');
      const problems: FieldProblem[] = [];
      ids.forEach((id: unknown, i) => {
        if (typeof id !== 'string' || !SOURCE_SERVER_ID.test(id)) problems.push({ field: `sourceServerIds[${i}]`, message: 'must be a DRS source server id (s- and 17 characters)' });
      });
      if (problems.length > 0) throw new ValidationError(problems);
      const unique = [...new Set(ids as string[])];
      const [stored, statuses] = await Promise.all([Promise.all(unique.map((id) => deps.store.get(id))), deps.targets.statuses()]);
      const syncedAt = lastSuccessByTarget(statuses);
      return stored.flatMap((found) => (found ? [withLastSeen(found.server, syncedAt)] : []));
    }),

    // A sync calls DRS and may write every server: not for every viewer to trigger at will.
    syncSourceServers: operation('plan:write', async (input, caller) => {
      const raw = isObject(input) ? input : {};
      const problems: FieldProblem[] = [];
      for (const key of Object.keys(raw)) if (key !== 'accountId' && key !== 'region') problems.push({ field: key, message: 'is not an input of syncSourceServers (accountId, region)' });
      if (raw.accountId !== undefined && (typeof raw.accountId !== 'string' || !ACCOUNT_ID.test(raw.accountId))) problems.push({ field: 'accountId', message: 'must be a 12-digit AWS account id' });
      if (raw.region !== undefined && (typeof raw.region !== 'string' || !REGION.test(raw.region))) problems.push({ field: 'region', message: 'must be an AWS region such as us-east-1' });
      if (raw.region !== undefined && raw.accountId === undefined) problems.push({ field: 'region', message: 'needs an accountId' });
      if (problems.length > 0) throw new ValidationError(problems);
      const scope: SyncScope = { ...(typeof raw.accountId === 'string' ? { accountId: raw.accountId } : {}), ...(typeof raw.region === 'string' ? { region: raw.region } : {}) };
      return deps.sync(actorOf(caller), scope);
    }),

    listTargetAccounts: operation('read', async () => {
      const [accounts, statuses] = await Promise.all([deps.targets.list(), statusesByTarget()]);
      const views = accounts.map((account) => accountViewOf(account, false, statuses));
      if (!accounts.some((a) => a.accountId === deps.home.accountId)) views.push(accountViewOf({ accountId: deps.home.accountId, regions: [deps.home.region] }, true, statuses));
      return views.sort((a, b) => a.accountId.localeCompare(b.accountId));
    }),

    addTargetAccount: operation('admin', async (input, caller) => {
      const parsed = parseTargetInput(input, deps.home);
      if (!parsed.ok) throw new ValidationError(parsed.problems);
      const before = await deps.targets.list();
      if (before.some((a) => a.accountId === parsed.target.accountId)) throw new ConflictError(`account ${parsed.target.accountId} is a target already; update it instead`, 'accountId');
      await refuseUnreachable(parsed.target);
      const at = now().toISOString();
      const account: TargetAccount = { ...parsed.target, createdAt: at, createdBy: caller.username, updatedAt: at, updatedBy: caller.username };
      await dropTargets(before, [...before, account], actorOf(caller));
      await deps.targets.create(account);
      return accountView(account.accountId);
    }),

    updateTargetAccount: operation('admin', async (input, caller) => {
      const id = parseAccountId(input);
      if (!id.ok) throw new ValidationError(id.problems);
      const before = await deps.targets.list();
      const current = before.find((a) => a.accountId === id.accountId);
      if (!current) throw new NotFoundError(`account ${id.accountId} is not a target${id.accountId === deps.home.accountId ? ' (the account Lifeboat runs in is listed by default: add it to change its regions)' : ''}`, 'accountId');
      const parsed = parseTargetUpdate(input, current, deps.home);
      if (!parsed.ok) throw new ValidationError(parsed.problems);
      await refuseUnreachable(parsed.target);
      const { roleArn: _role, externalId: _external, ...kept } = current;
      const account: TargetAccount = { ...kept, ...parsed.target, updatedAt: now().toISOString(), updatedBy: caller.username };
      await dropTargets(before, before.map((a) => (a.accountId === account.accountId ? account : a)), actorOf(caller));
      await deps.targets.replace(account);
      if (current.roleArn) deps.forgetRole?.(current.roleArn, current.externalId);
      return accountView(account.accountId);
    }),

    removeTargetAccount: operation('admin', async (input, caller) => {
      const id = parseAccountId(input);
      if (!id.ok) throw new ValidationError(id.problems);
      const before = await deps.targets.list();
      const current = before.find((a) => a.accountId === id.accountId);
      if (!current) throw new NotFoundError(`account ${id.accountId} is not a target${id.accountId === deps.home.accountId ? ' (the account Lifeboat runs in is always listed)' : ''}`, 'accountId');
      const removedServers = await dropTargets(before, before.filter((a) => a.accountId !== id.accountId), actorOf(caller));
      await deps.targets.remove(id.accountId);
      if (current.roleArn) deps.forgetRole?.(current.roleArn, current.externalId);
      return { accountId: id.accountId, removedServers };
    }),

    // For Lifeboat's services only (systemCaller): it answers the external id.
    resolveTargetAccess: operation('service', resolveTargetAccess),
  };
}
