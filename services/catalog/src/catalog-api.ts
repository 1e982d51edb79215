import type { Actor } from '@lifeboat/events';
import type { Caller, CatalogOperations, Operation } from '@lifeboat/service-api';
import { ValidationError, operation } from '@lifeboat/service-api';
import type { ServerPage } from './adapters/servers-table.js';
import type { SyncResult } from './inventory-sync.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

type CatalogApi = { [K in keyof CatalogOperations]: Operation<CatalogOperations[K]['input'], CatalogOperations[K]['result']> };

export interface CatalogApiDeps {
  page(limit: number, nextToken: string | undefined): Promise<ServerPage>;
  sync(actor: Actor): Promise<SyncResult>;
}

/** Who caused an event, from the caller of an API operation. */
export function actorOf(caller: Caller): Actor {
  return { type: caller.userId.startsWith('service:') ? 'service' : 'user', id: caller.userId, name: caller.username };
}

/** The limit and token of listSourceServers, validated at the edge. */
export function parseListInput(input: unknown): { limit: number; nextToken: string | undefined } {
  const { limit, nextToken } = (input && typeof input === 'object' ? input : {}) as { limit?: unknown; nextToken?: unknown };
  const problems: { field: string; message: string }[] = [];
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)) {
    problems.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  }
  if (nextToken !== undefined && nextToken !== null && (typeof nextToken !== 'string' || nextToken === '')) {
    problems.push({ field: 'nextToken', message: 'must be a token returned by listSourceServers' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return { limit: (limit as number | undefined) ?? DEFAULT_PAGE_SIZE, nextToken: typeof nextToken === 'string' ? nextToken : undefined };
}

/** The operations of the catalog's `api` function (contracts.ts CatalogOperations). */
export function createCatalogApi(deps: CatalogApiDeps): CatalogApi {
  return {
    listSourceServers: operation('read', async (input) => {
      const { limit, nextToken } = parseListInput(input);
      return deps.page(limit, nextToken);
    }),
    // A sync calls DRS and may write every server: not for every viewer to trigger at will.
    syncSourceServers: operation('plan:write', async (_input, caller) => deps.sync(actorOf(caller))),
  };
}
