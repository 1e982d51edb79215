/**
 * What every JobSnapshotStore does (the in-memory twin and VerificationJobsTable): one lease at a
 * time, none over a fresh snapshot, a snapshot round-trip, newer reads kept, and a TTL.
 */
import { describe, expect, it } from '@jest/globals';
import type { JobLaunchActionsSnapshot } from '../../src/domain/job-launch-actions.js';
import type { JobSnapshotStore, LeaseRequest } from '../../src/job-launch-actions.js';

export interface JobSnapshotStoreUnderTest {
  store: JobSnapshotStore;
  /** Who holds the job's lease, as stored. */
  leaseOwnerOf(jobKey: string): Promise<string | undefined>;
  /** The item's TTL attribute, as stored (epoch seconds). */
  expirationOf(jobKey: string): Promise<number | undefined>;
}

const NOW = 1_700_000_000_000;
let jobs = 0;
/** A job key of its own for each test (the DynamoDB suite shares one table). */
const newJobKey = () => `123456789012#us-east-1#drsjob-contract-${++jobs}-${Math.random().toString(16).slice(2, 8)}`;

const lease = (owner: string, nowMs = NOW, overrides: Partial<LeaseRequest> = {}): LeaseRequest => ({ owner, nowMs, untilMs: nowMs + 5_000, staleBeforeMs: nowMs - 2_000, expiresAtSeconds: Math.floor(nowMs / 1000) + 3_600, ...overrides });

const snapshotAt = (readAtMs: number, status = 'IN_PROGRESS'): JobLaunchActionsSnapshot => ({
  readAtMs,
  servers: {
    's-00000000000000001': { launchStatus: 'LAUNCHED', reported: true, ssmAgentDiscoveryDatetime: '2024-05-01T10:00:00.000Z', runs: [{ name: 'Smoke test', optional: false, status }, { name: 'Tag the instance', optional: true, status: 'FAILED', failureReason: 'AccessDenied: ec2:CreateTags' }] },
    's-00000000000000002': { reported: false, runs: [] },
  },
});

export function jobSnapshotStoreContract(name: string, setup: () => JobSnapshotStoreUnderTest): void {
  describe(`${name} (JobSnapshotStore contract)`, () => {
    it('knows nothing of a job nobody read', async () => {
      const { store } = setup();

      expect(await store.read(newJobKey())).toBeUndefined();
    });

    it('gives the lease to one reader at a time, and to another once it expired', async () => {
      // given a job's lease taken by container a
      const { store, leaseOwnerOf } = setup();
      const key = newJobKey();
      expect(await store.tryLease(key, lease('a'))).toBe(true);

      // when b asks for it while it runs, then just after it expired
      const whileHeld = await store.tryLease(key, lease('b', NOW + 4_999));
      const held = await store.read(key);
      const afterExpiry = await store.tryLease(key, lease('b', NOW + 5_001));

      // then b gets it only the second time
      expect(whileHeld).toBe(false);
      expect(held).toEqual({ leaseUntilMs: NOW + 5_000 });
      expect(afterExpiry).toBe(true);
      expect(await leaseOwnerOf(key)).toBe('b');
    });

    it('gives no lease over a fresh snapshot, and one over a stale snapshot', async () => {
      const { store } = setup();
      const key = newJobKey();
      await store.publish(key, snapshotAt(NOW - 1_000), undefined, 0);

      expect(await store.tryLease(key, lease('a', NOW))).toBe(false);
      expect(await store.tryLease(key, lease('a', NOW + 1_001))).toBe(true);
    });

    it('the holder\'s snapshot round-trips, its lease is released and the item expires', async () => {
      // given a lease taken at NOW
      const { store, leaseOwnerOf, expirationOf } = setup();
      const key = newJobKey();
      await store.tryLease(key, lease('a'));

      // when its holder publishes what it read
      const snapshot = snapshotAt(NOW + 10);
      await store.publish(key, snapshot, 'a', Math.floor(NOW / 1000) + 3_600);

      // then the snapshot reads back as written, without a lease, and with its TTL
      expect(await store.read(key)).toEqual({ snapshot });
      expect(await leaseOwnerOf(key)).toBeUndefined();
      expect(await expirationOf(key)).toBe(Math.floor(NOW / 1000) + 3_600);
    });

    it('a reader that gave up waiting writes its snapshot but leaves the holder\'s lease', async () => {
      const { store, leaseOwnerOf } = setup();
      const key = newJobKey();
      await store.tryLease(key, lease('holder'));

      await store.publish(key, snapshotAt(NOW + 2_000), undefined, 0);

      expect(await store.read(key)).toEqual({ snapshot: snapshotAt(NOW + 2_000), leaseUntilMs: NOW + 5_000 });
      expect(await leaseOwnerOf(key)).toBe('holder');
    });

    it('keeps the newer of two reads, and still releases the lease of the holder whose read was older', async () => {
      // given a holder whose read is overtaken by one written without the lease
      const { store, leaseOwnerOf } = setup();
      const key = newJobKey();
      await store.tryLease(key, lease('slow'));
      await store.publish(key, snapshotAt(NOW + 3_000, 'SUCCEEDED'), undefined, 0);

      // when the holder publishes its older read
      await store.publish(key, snapshotAt(NOW + 100), 'slow', 0);

      // then the newer read stays, and the lease is free
      expect(await store.read(key)).toEqual({ snapshot: snapshotAt(NOW + 3_000, 'SUCCEEDED') });
      expect(await leaseOwnerOf(key)).toBeUndefined();
    });

    it('a holder whose lease expired and went to another does not release the other\'s lease', async () => {
      const { store, leaseOwnerOf } = setup();
      const key = newJobKey();
      await store.tryLease(key, lease('first'));
      await store.tryLease(key, lease('second', NOW + 6_000));

      await store.publish(key, snapshotAt(NOW + 10), 'first', 0);

      expect(await leaseOwnerOf(key)).toBe('second');
      expect((await store.read(key))?.snapshot).toEqual(snapshotAt(NOW + 10));
    });

    it('the lease sets the item\'s TTL', async () => {
      const { store, expirationOf } = setup();
      const key = newJobKey();

      await store.tryLease(key, lease('a'));

      expect(await expirationOf(key)).toBe(Math.floor(NOW / 1000) + 3_600);
    });
  });
}
