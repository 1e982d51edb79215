import { InMemoryJobSnapshots } from '../../src/adapters/in-memory-job-snapshots.js';
import { jobSnapshotStoreContract } from '../support/job-snapshots-contract.js';

jobSnapshotStoreContract('InMemoryJobSnapshots', () => {
  const store = new InMemoryJobSnapshots();
  return { store, leaseOwnerOf: async (key) => store.leaseOwnerOf(key), expirationOf: async (key) => store.expirationOf(key) };
});
