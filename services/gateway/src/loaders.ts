/**
 * Per-request batching of the gateway's reads by id (DataLoader). A document that asks for several
 * protection groups or source servers by id (`a: protectionGroup(id: …) b: protectionGroup(id: …)`,
 * as a client does for the groups of a plan's waves or the single servers of a wave) makes one
 * service call for all of them instead of one each, and one read per id however often it is asked.
 *
 * Loaders belong to one request: they are made for the request's context and call the services as
 * its caller, so nothing read for one caller is ever answered to another, and nothing is cached
 * beyond the request.
 */
import DataLoader from 'dataloader';
import type { Caller, ProtectionGroupView, SourceServerView } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import type { GatewayContext } from './context.js';
import { orNull, withFieldNames } from './resolvers/support.js';
import type { TypedServices } from './services.js';

/** Ids one batch read takes (getProtectionGroups, getSourceServers). */
export const MAX_BATCH_IDS = 100;

export interface GatewayLoaders {
  /** A protection group by id; null when it does not exist. */
  protectionGroup: DataLoader<string, ProtectionGroupView | null>;
  /** A source server by id; null when the catalog does not know it. */
  sourceServer: DataLoader<string, SourceServerView | null>;
}

/**
 * Loads by id: one id through the service's single read (its own NOT_FOUND and field names), several
 * through its batch read. A batch refused as bad input (an id of the wrong shape) is read again one
 * id at a time, so that each field gets its own error and the good ids their answer.
 */
function byIdLoader<T>(idOf: (item: T) => string, one: (id: string) => Promise<T | null>, many: (ids: string[]) => Promise<T[]>): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(
    async (keys) => {
      const ids = [...keys];
      if (ids.length === 1) return [await one(ids[0] as string)];
      let found: T[];
      try {
        found = await many(ids);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return Promise.all(ids.map((id) => one(id).catch((cause: unknown) => (cause instanceof Error ? cause : new Error(String(cause))))));
      }
      const byId = new Map(found.map((item) => [idOf(item), item]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { maxBatchSize: MAX_BATCH_IDS },
  );
}

/** The loaders of one request, calling the services as `caller`. */
export function createLoaders(services: TypedServices, caller: Caller): GatewayLoaders {
  const { planning, catalog } = services;
  return {
    protectionGroup: byIdLoader(
      (group) => group.protectionGroupId,
      (id) => orNull(withFieldNames({ protectionGroupId: 'id' }, () => planning.call('getProtectionGroup', { protectionGroupId: id }, caller))),
      (ids) => planning.call('getProtectionGroups', { protectionGroupIds: ids }, caller),
    ),
    sourceServer: byIdLoader(
      (server) => server.sourceServerId,
      (id) => orNull(withFieldNames({ sourceServerId: 'id' }, () => catalog.call('getSourceServer', { sourceServerId: id }, caller))),
      (ids) => catalog.call('getSourceServers', { sourceServerIds: ids }, caller),
    ),
  };
}

/**
 * The loaders of the request whose context this is, made at its first use for the context's
 * (authorized) caller. Every transport makes a new context per operation: one HTTP request, one
 * WebSocket subscribe (whose context lasts as long as the subscription: its pushes must read
 * afresh, not through these caches).
 */
export function loadersOf(context: GatewayContext, services: TypedServices): GatewayLoaders {
  context.loaders ??= createLoaders(services, context.caller);
  return context.loaders;
}
