import type { JobLaunchActionsSnapshot } from '../domain/job-launch-actions.js';
import type { JobSnapshotStore, LeaseRequest, StoredJobSnapshot } from '../job-launch-actions.js';

interface Item {
  snapshot?: JobLaunchActionsSnapshot;
  leaseOwner?: string;
  leaseUntilMs?: number;
  expiresAtSeconds?: number;
}

/**
 * The in-memory twin of DynamoDbJobSnapshots, with the same conditions (tests; several readers
 * sharing one instance stand for several Lambda containers sharing the table).
 */
export class InMemoryJobSnapshots implements JobSnapshotStore {
  private readonly items = new Map<string, Item>();

  async read(jobKey: string): Promise<StoredJobSnapshot | undefined> {
    const item = this.items.get(jobKey);
    if (!item) return undefined;
    return structuredClone({
      ...(item.snapshot ? { snapshot: item.snapshot } : {}),
      ...(item.leaseUntilMs !== undefined ? { leaseUntilMs: item.leaseUntilMs } : {}),
    });
  }

  async tryLease(jobKey: string, lease: LeaseRequest): Promise<boolean> {
    const item = this.items.get(jobKey) ?? {};
    const leaseFree = item.leaseUntilMs === undefined || item.leaseUntilMs < lease.nowMs;
    const stale = item.snapshot === undefined || item.snapshot.readAtMs < lease.staleBeforeMs;
    if (!leaseFree || !stale) return false;
    this.items.set(jobKey, { ...item, leaseOwner: lease.owner, leaseUntilMs: lease.untilMs, expiresAtSeconds: lease.expiresAtSeconds });
    return true;
  }

  async publish(jobKey: string, snapshot: JobLaunchActionsSnapshot, owner: string | undefined, expiresAtSeconds: number): Promise<void> {
    const item = this.items.get(jobKey) ?? {};
    const next: Item = { ...item };
    if (owner !== undefined && item.leaseOwner === owner) {
      delete next.leaseOwner;
      delete next.leaseUntilMs;
    }
    if (item.snapshot === undefined || item.snapshot.readAtMs < snapshot.readAtMs) {
      next.snapshot = structuredClone(snapshot);
      next.expiresAtSeconds = expiresAtSeconds;
    }
    this.items.set(jobKey, next);
  }

  /** The TTL an item carries (epoch seconds), for tests. */
  expirationOf(jobKey: string): number | undefined {
    return this.items.get(jobKey)?.expiresAtSeconds;
  }

  /** Who holds the job's lease, for tests. */
  leaseOwnerOf(jobKey: string): string | undefined {
    return this.items.get(jobKey)?.leaseOwner;
  }
}
