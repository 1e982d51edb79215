/** Resolvers of the catalog's part of graphql/schema.graphql: source servers and target accounts. */
import type { CatalogOperations } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import { authorize } from '../context.js';
import type { Maybe, SourceServerFilterArg, SourceServerSortArg } from '../inputs.js';
import { given, toListSourceServersInput } from '../inputs.js';
import { toSourceServer, toSyncResult, toTargetAccount } from '../mapping.js';
import { loadersOf } from '../loaders.js';
import type { TypedServices } from '../services.js';
import type { Resolver } from './support.js';
import { withFieldNames } from './support.js';

/** Largest page of `sourceServers`. */
export const MAX_PAGE_SIZE = 1000;

/** The catalog names its paging `limit`/`nextToken`; the client knows them as `first`/`after`. */
const PAGING_FIELDS = { limit: 'first', nextToken: 'after' };

interface SourceServersArgs {
  first?: Maybe<number>;
  after?: Maybe<string>;
  filter?: Maybe<SourceServerFilterArg>;
  sort?: Maybe<SourceServerSortArg>;
}
interface AddTargetAccountArgs {
  input: { accountId: string; regions: string[]; roleArn?: Maybe<string>; externalId?: Maybe<string> };
}
interface UpdateTargetAccountArgs {
  input: { accountId: string; regions?: Maybe<string[]>; roleArn?: Maybe<string>; externalId?: Maybe<string> };
}

export function catalogQueries(services: TypedServices) {
  const { catalog } = services;
  const sourceServers: Resolver<SourceServersArgs> = async (_p, { first, after, filter, sort }, context) => {
    const caller = authorize(context, 'read', 'sourceServers');
    const limit = first ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new ValidationError(`must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
    const page = await withFieldNames(PAGING_FIELDS, () => catalog.call('listSourceServers', toListSourceServersInput({ first: limit, after, filter, sort }), caller));
    return { items: page.items.map(toSourceServer), nextCursor: page.nextToken ?? null };
  };
  const sourceServer: Resolver<{ id: string }> = async (_p, { id }, context) => {
    authorize(context, 'read', 'sourceServer');
    // Batched with the other servers this request asks for by id (loaders.ts).
    const view = await loadersOf(context, services).sourceServer.load(id);
    return view && toSourceServer(view);
  };
  const targetAccounts: Resolver<Record<string, never>> = async (_p, _a, context) => {
    const caller = authorize(context, 'read', 'targetAccounts');
    return (await catalog.call('listTargetAccounts', {}, caller)).map(toTargetAccount);
  };
  return { sourceServers, sourceServer, targetAccounts };
}

export function catalogMutations({ catalog }: TypedServices) {
  const syncSourceServers: Resolver<{ accountId?: Maybe<string>; region?: Maybe<string> }> = async (_p, args, context) => {
    const caller = authorize(context, 'plan:write', 'syncSourceServers');
    return toSyncResult(await catalog.call('syncSourceServers', given(args), caller));
  };
  const addTargetAccount: Resolver<AddTargetAccountArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'admin', 'addTargetAccount');
    return toTargetAccount(await catalog.call('addTargetAccount', given(input), caller));
  };
  const updateTargetAccount: Resolver<UpdateTargetAccountArgs> = async (_p, { input }, context) => {
    const caller = authorize(context, 'admin', 'updateTargetAccount');
    // An explicit `externalId: null` removes the external id; an omitted one keeps it.
    const update: CatalogOperations['updateTargetAccount']['input'] = { ...given(input), ...('externalId' in input && input.externalId === null ? { externalId: null } : {}) };
    return toTargetAccount(await catalog.call('updateTargetAccount', update, caller));
  };
  const removeTargetAccount: Resolver<{ accountId: string }> = async (_p, { accountId }, context) => {
    const caller = authorize(context, 'admin', 'removeTargetAccount');
    const result = await catalog.call('removeTargetAccount', { accountId }, caller);
    return { accountId: result.accountId, removedServers: result.removedServers };
  };
  return { syncSourceServers, addTargetAccount, updateTargetAccount, removeTargetAccount };
}
