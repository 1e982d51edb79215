/**
 * From the catalog's SourceServer* events to the InventoryChange payload of inventoryChanged,
 * without asking the catalog when the event says enough: a sync of thousands of servers must not
 * cost one catalog call per server and per subscriber.
 */
import type { DomainEvent } from '@lifeboat/events';
import type { SourceServerLaunchView, SourceServerView } from '@lifeboat/service-api';

export type InventoryChangeKind = 'DISCOVERED' | 'CHANGED' | 'REMOVED';

/** The InventoryChange type, before mapping (`sourceServer` is the catalog's view, or null when REMOVED). */
export interface InventoryChangeView {
  kind: InventoryChangeKind;
  sourceServerId: string;
  accountId: string;
  region: string;
  changedFields: string[];
  sourceServer: SourceServerView | null;
  changedAt: string;
}

const KINDS: Readonly<Record<string, InventoryChangeKind>> = {
  SourceServerDiscovered: 'DISCOVERED',
  SourceServerChanged: 'CHANGED',
  SourceServerRemoved: 'REMOVED',
};

/** What an inventory event says of its server (its JSON Schemas, events/schemas/SourceServer*.schema.json). */
interface AnnouncedServer {
  sourceServerId?: unknown;
  accountId?: unknown;
  region?: unknown;
  arn?: unknown;
  hostname?: unknown;
  os?: unknown;
  tags?: unknown;
  replicationState?: unknown;
  stagingAccountId?: unknown;
  readyForRecovery?: unknown;
  notReadyReason?: unknown;
  lastLaunch?: unknown;
  recoveryInstanceId?: unknown;
  changedFields?: unknown;
}

const isString = (value: unknown): value is string => typeof value === 'string';

function isTags(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isString);
}

function isLaunch(value: unknown): value is SourceServerLaunchView {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isString);
}

/** The inventory event's kind, or undefined for an event that is not one. */
export function inventoryKindOf(event: DomainEvent): InventoryChangeKind | undefined {
  return Object.hasOwn(KINDS, event.type) ? KINDS[event.type] : undefined;
}

/** The server an inventory event is about (for filters), or undefined when it is not one. */
export function inventoryServerOf(event: DomainEvent): { sourceServerId: string; accountId: string; region: string } | undefined {
  if (!inventoryKindOf(event)) return undefined;
  const data = (event.data ?? {}) as AnnouncedServer;
  if (!isString(data.sourceServerId) || !isString(data.accountId) || !isString(data.region)) return undefined;
  return { sourceServerId: data.sourceServerId, accountId: data.accountId, region: data.region };
}

/**
 * The server as the event announces it, when it carries every field that SourceServer requires
 * (the catalog's events do; `lastSeenAt` is when the catalog saw it, the event's occurredAt); else
 * undefined and the caller asks the catalog. What only the catalog's read model keeps (FQDN, OS
 * name, replication progress, protection group) is absent, so those fields answer null: query
 * `sourceServer(id)` for them.
 */
export function sourceServerFromEvent(event: DomainEvent): SourceServerView | undefined {
  const data = (event.data ?? {}) as AnnouncedServer;
  const { sourceServerId, accountId, region, arn, hostname, os, tags, replicationState, readyForRecovery } = data;
  if (!isString(sourceServerId) || !isString(accountId) || !isString(region) || !isString(arn) || !isString(hostname) || !isString(os)) return undefined;
  if (!isTags(tags) || !isString(replicationState) || typeof readyForRecovery !== 'boolean') return undefined;
  const view: SourceServerView = { sourceServerId, accountId, region, arn, hostname, os, tags, replicationState, readyForRecovery, lastSeenAt: event.metadata.occurredAt };
  if (isString(data.stagingAccountId)) view.stagingAccountId = data.stagingAccountId;
  if (isString(data.notReadyReason)) view.notReadyReason = data.notReadyReason;
  if (isLaunch(data.lastLaunch)) view.lastLaunch = data.lastLaunch;
  if (isString(data.recoveryInstanceId)) view.recoveryInstanceId = data.recoveryInstanceId;
  return view;
}

/**
 * The InventoryChange an event announces, or undefined when it is not an inventory event.
 * `fetchServer` is called only for a DISCOVERED or CHANGED event that lacks a field SourceServer
 * requires; when it finds no server (removed since), nothing is announced: SourceServerRemoved follows.
 */
export async function inventoryChangeOf(
  event: DomainEvent,
  fetchServer: (sourceServerId: string) => Promise<SourceServerView | undefined>,
): Promise<InventoryChangeView | undefined> {
  const kind = inventoryKindOf(event);
  const server = inventoryServerOf(event);
  if (!kind || !server) return undefined;
  const data = (event.data ?? {}) as AnnouncedServer;
  const changedFields = kind === 'CHANGED' && Array.isArray(data.changedFields) ? data.changedFields.filter(isString) : [];
  const sourceServer = kind === 'REMOVED' ? null : (sourceServerFromEvent(event) ?? (await fetchServer(server.sourceServerId)));
  if (sourceServer === undefined) return undefined;
  return { kind, ...server, changedFields, sourceServer, changedAt: event.metadata.occurredAt };
}
