import type { ProtectionGroupView } from '@lifeboat/service-api';
import type { InventoryServer } from '../../src/domain/inventory.js';
import type { ProtectionGroup } from '../../src/domain/protection-group.js';
import { normalizeGroup } from '../../src/domain/protection-group.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A DRS source server id: `s-` and 17 characters, from a short number. */
export function serverId(n: number): string {
  return `s-${n.toString(16).padStart(17, '0')}`;
}

export function server(n: number, overrides: Partial<InventoryServer> = {}): InventoryServer {
  const id = serverId(n);
  return {
    sourceServerId: id,
    accountId: ACCOUNT,
    region: REGION,
    arn: `arn:aws:drs:${REGION}:${ACCOUNT}:source-server/${id}`,
    hostname: `host-${n}`,
    os: 'LINUX',
    tags: {},
    replicationState: 'CONTINUOUS',
    ...overrides,
  };
}

/** A stored group of explicit members (normalized: every field present). */
export function group(id: string, name: string, servers: number[], overrides: Partial<ProtectionGroupView> = {}): ProtectionGroup {
  return normalizeGroup({
    protectionGroupId: id,
    name,
    accountId: ACCOUNT,
    region: REGION,
    sourceServerIds: servers.map(serverId),
    createdAt: '2025-01-01T00:00:00.000Z',
    createdBy: 'paul',
    ...overrides,
  });
}

export function byId<T>(items: T[], id: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [id(item), item]));
}

/** Deterministic ids: `wave-1`, `wave-2`, `pg-3`… */
export function sequentialIds(): (prefix: string) => string {
  let n = 0;
  return (prefix) => `${prefix}-${++n}`;
}

/** Deterministic UUIDs. */
export function sequentialUuids(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;
}
