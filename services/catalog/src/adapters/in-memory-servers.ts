import type { SourceServerView } from '@lifeboat/service-api';
import type { ServerStore } from '../inventory-sync.js';

/** The in-memory twin of DynamoServerStore, for tests of the sync. */
export class InMemoryServerStore implements ServerStore {
  readonly servers = new Map<string, SourceServerView>();

  constructor(initial: readonly SourceServerView[] = []) {
    for (const server of initial) this.servers.set(server.sourceServerId, structuredClone(server));
  }

  async listAll(): Promise<SourceServerView[]> {
    return [...this.servers.values()].map((server) => structuredClone(server));
  }

  async save(servers: readonly SourceServerView[]): Promise<void> {
    for (const server of servers) this.servers.set(server.sourceServerId, structuredClone(server));
  }

  async remove(sourceServerIds: readonly string[]): Promise<void> {
    for (const id of sourceServerIds) this.servers.delete(id);
  }
}
