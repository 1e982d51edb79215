import type { SourceServerView } from '@lifeboat/service-api';
import { ValidationError } from '@lifeboat/service-api';
import type { GroupAssignment } from '../domain/inventory.js';
import type { CurrentAssignment } from '../domain/protection-groups.js';
import type { ChangeCause, ServerPage, ServerQuery, ServerStore, ServerWrite, StoredServer } from '../ports.js';
import { nextChangedAt, sortKeyOf } from './servers-table.js';

/** A committed write, as the table's stream would report it. */
export interface RecordedChange {
  before?: StoredServer;
  after?: StoredServer;
  cause: ChangeCause;
}

/** The in-memory twin of DynamoServerStore, for unit tests. `changes` plays the table's stream. */
export class InMemoryServerStore implements ServerStore {
  readonly servers = new Map<string, StoredServer>();
  readonly changes: RecordedChange[] = [];
  /** How many servers were written (puts and removals), as BatchWriteItem requests would count them. */
  writes = 0;

  constructor(initial: readonly SourceServerView[] = []) {
    for (const server of initial) this.servers.set(server.sourceServerId, { server: structuredClone(server), revision: 1, changedAt: server.lastSeenAt });
  }

  async listTarget(accountId: string, region: string): Promise<StoredServer[]> {
    return [...this.servers.values()].filter((s) => s.server.accountId === accountId && s.server.region === region).map((s) => structuredClone(s));
  }

  async get(sourceServerId: string): Promise<StoredServer | undefined> {
    const stored = this.servers.get(sourceServerId);
    return stored && structuredClone(stored);
  }

  async write(writes: readonly ServerWrite[], cause: ChangeCause): Promise<void> {
    for (const write of writes) this.apply(write, cause);
  }

  async writeIfUnchanged(write: ServerWrite, cause: ChangeCause): Promise<boolean> {
    const id = write.kind === 'put' ? write.server.sourceServerId : write.previous.server.sourceServerId;
    const current = this.servers.get(id);
    if ((current?.revision ?? undefined) !== (write.previous?.revision ?? undefined)) return false;
    this.apply(write, cause);
    return true;
  }

  private apply(write: ServerWrite, cause: ChangeCause): void {
    this.writes++;
    const changedAt = nextChangedAt(cause, write.previous);
    if (write.kind === 'remove') {
      const before = this.servers.get(write.previous.server.sourceServerId);
      this.servers.delete(write.previous.server.sourceServerId);
      this.changes.push({ ...(before ? { before } : {}), cause: { ...cause, at: changedAt } });
      return;
    }
    const before = this.servers.get(write.server.sourceServerId);
    const after: StoredServer = { server: structuredClone(write.server), revision: (write.previous?.revision ?? 0) + 1, changedAt };
    this.servers.set(write.server.sourceServerId, after);
    this.changes.push({ ...(before ? { before } : {}), after, cause: { ...cause, at: changedAt } });
  }

  async assignedTo(protectionGroupId: string): Promise<CurrentAssignment[]> {
    return [...this.servers.values()]
      .filter((s) => s.server.protectionGroupId === protectionGroupId)
      .map((s) => ({ sourceServerId: s.server.sourceServerId, ...(s.server.protectionGroupName ? { protectionGroupName: s.server.protectionGroupName } : {}) }));
  }

  async setGroup(sourceServerIds: readonly string[], group: GroupAssignment | undefined, protectionGroupId: string): Promise<void> {
    for (const id of sourceServerIds) {
      const stored = this.servers.get(id);
      if (!stored) continue;
      if (!group && stored.server.protectionGroupId !== protectionGroupId) continue;
      const { protectionGroupId: _id, protectionGroupName: _name, ...rest } = stored.server;
      stored.server = group ? { ...rest, protectionGroupId: group.protectionGroupId, protectionGroupName: group.name } : rest;
      stored.revision++;
    }
  }

  async query(query: ServerQuery): Promise<ServerPage> {
    const { filter } = query;
    const matches = [...this.servers.values()]
      .map((s) => s.server)
      .filter(
        (s) =>
          (filter.accountId === undefined || s.accountId === filter.accountId) &&
          (filter.region === undefined || s.region === filter.region) &&
          (filter.replicationState === undefined || s.replicationState === filter.replicationState) &&
          (filter.ready === undefined || s.readyForRecovery === filter.ready) &&
          (filter.protectionGroupId === undefined || s.protectionGroupId === filter.protectionGroupId) &&
          (filter.unassigned === undefined || (s.protectionGroupId === undefined) === filter.unassigned) &&
          (filter.tag === undefined || (Object.hasOwn(s.tags, filter.tag.key) && (filter.tag.value === undefined || s.tags[filter.tag.key] === filter.tag.value))) &&
          (!filter.search || s.hostname.toLowerCase().includes(filter.search.toLowerCase())),
      )
      .sort((a, b) => sortKeyOf(a).localeCompare(sortKeyOf(b)) * (query.descending ? -1 : 1));
    const start = query.nextToken === undefined ? 0 : Number.parseInt(query.nextToken, 10);
    if (!Number.isInteger(start) || start < 0) throw new ValidationError('is not a token returned by listSourceServers', 'nextToken');
    const end = start + query.limit;
    return { items: matches.slice(start, end).map((s) => structuredClone(s)), nextToken: end < matches.length ? String(end) : null };
  }
}
