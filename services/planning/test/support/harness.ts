import type { ApiResponse, Caller } from '@lifeboat/service-api';
import { createApiHandler } from '@lifeboat/service-api';
import { InMemoryInventoryStore, InMemoryPlanningStore } from '../../src/adapters/in-memory.js';
import type { InventoryServer } from '../../src/domain/inventory.js';
import { createPlanningApi } from '../../src/planning-api.js';
import type { OutboxEntry } from '../../src/ports.js';
import { sequentialIds, sequentialUuids } from './fixtures.js';

export const author: Caller = { userId: 'u-author', username: 'paul', roles: ['PlanAuthor'] };
export const viewer: Caller = { userId: 'u-viewer', username: 'vera', roles: ['Viewer'] };

/** Planning's API over the in-memory twins of its adapters, with a clock that moves a second per call. */
export function planningHarness(...servers: InventoryServer[]) {
  const store = new InMemoryPlanningStore();
  const inventory = new InMemoryInventoryStore();
  inventory.put(...servers);
  let tick = 0;
  const now = () => new Date(Date.UTC(2025, 5, 1, 0, 0, tick++));
  const deps = { store, inventory, now, newId: sequentialIds(), newUuid: sequentialUuids() };
  const handler = createApiHandler(createPlanningApi(deps), () => undefined);
  let seen = 0;

  async function call<T>(operation: string, input: unknown, caller: Caller = author): Promise<ApiResponse<T>> {
    return (await handler({ operation, input, caller })) as ApiResponse<T>;
  }
  async function ok<T>(operation: string, input: unknown, caller: Caller = author): Promise<T> {
    const response = await call<T>(operation, input, caller);
    if (!response.ok) throw new Error(`${operation}: ${response.error.code} ${response.error.message} ${JSON.stringify(response.error.problems ?? [])}`);
    return response.result;
  }
  /** Outbox entries written since the last call of this function. */
  function newOutbox(): OutboxEntry[] {
    const entries = store.outbox.slice(seen);
    seen = store.outbox.length;
    return entries;
  }
  /** Events written since the last call of newOutbox, as `type` and data. */
  function newEvents(): { type: string; data: unknown }[] {
    return newOutbox().flatMap((e) => (e.kind === 'event' ? [{ type: e.event.type, data: e.event.data }] : []));
  }
  return { store, inventory, deps, call, ok, newOutbox, newEvents };
}
