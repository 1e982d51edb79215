/**
 * JobLaunchActionsReader: the verifications of one DRS job's servers share one DescribeJobs per
 * `freshMs`. Each reader stands for a Lambda container; the containers of a test share one
 * in-memory table (the twin of VerificationJobsTable) and one virtual timeline, and DescribeJobs
 * is a counting fake that takes 300 ms.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { InMemoryJobSnapshots } from '../src/adapters/in-memory-job-snapshots.js';
import type { LaunchActionsFacts } from '../src/domain/checks.js';
import type { JobLaunchActions, JobRef, ServerLaunchActions } from '../src/domain/job-launch-actions.js';
import { jobKeyOf } from '../src/domain/job-launch-actions.js';
import type { JobSnapshotStore, JobSource } from '../src/job-launch-actions.js';
import { DEFAULT_JOB_LAUNCH_ACTIONS_OPTIONS, JobLaunchActionsReader } from '../src/job-launch-actions.js';
import { VirtualClock } from './support/virtual-clock.js';

const { freshMs, waitMs, stepMs, leaseMs } = DEFAULT_JOB_LAUNCH_ACTIONS_OPTIONS;
const JOB: JobRef = { accountId: '123456789012', region: 'us-east-1', jobId: 'drsjob-1111111111111111a' };
const KEY = jobKeyOf(JOB);
const DRS_LATENCY_MS = 300;

const sid = (n: number) => `s-${n.toString(16).padStart(17, '0')}`;
const serverIds = (count: number, from = 1) => Array.from({ length: count }, (_, i) => sid(from + i));

/** The smoke test of every server: running at the first read, succeeded from the second on. */
function smokeTest(read: number): ServerLaunchActions {
  return { launchStatus: 'LAUNCHED', reported: true, ssmAgentDiscoveryDatetime: '2024-05-01T10:00:00Z', runs: [{ name: 'Smoke test', optional: false, status: read === 1 ? 'IN_PROGRESS' : 'SUCCEEDED' }] };
}

/** DescribeJobs of a fake DRS: counts its calls, answers `servers` of each job, fails when told to. */
function fakeDrs(clock: VirtualClock, servers: Record<string, string[]>, answer: (read: number) => ServerLaunchActions = smokeTest) {
  const calls: { jobId: string; atMs: number }[] = [];
  const failures: Error[] = [];
  const source: JobSource = {
    async jobLaunchActions(jobId: string): Promise<JobLaunchActions> {
      calls.push({ jobId, atMs: clock.now() });
      const read = calls.length;
      await clock.sleep(DRS_LATENCY_MS);
      const failure = failures.shift();
      if (failure) throw failure;
      return Object.fromEntries((servers[jobId] ?? []).map((id) => [id, answer(read)]));
    },
  };
  return { source, calls, failNext: (error: Error) => failures.push(error) };
}

/** One reader per container, all sharing the table. */
const containers = (count: number, store: JobSnapshotStore, clock: VirtualClock) => Array.from({ length: count }, () => new JobLaunchActionsReader(store, clock));

const expectedFacts = (read: number): LaunchActionsFacts => ({ found: true, ...smokeTest(read) });

let warn: ReturnType<typeof jest.spyOn>;
beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

describe('JobLaunchActionsReader', () => {
  it('the 100 servers of a job asked at once, each from its own container: one DescribeJobs, each server its own facts', async () => {
    // given 100 containers verifying the 100 servers of one job
    const clock = new VirtualClock();
    const store = new InMemoryJobSnapshots();
    const ids = serverIds(100);
    const drs = fakeDrs(clock, { [JOB.jobId]: ids });
    const readers = containers(100, store, clock);

    // when they all look at the post-launch actions at once
    const answers = await clock.run(Promise.all(ids.map((id, i) => readers[i]?.launchActions(JOB, id, drs.source))));

    // then DRS was asked once, every server got its facts, and the lease is free again
    expect(drs.calls).toHaveLength(1);
    expect(answers).toEqual(ids.map(() => expectedFacts(1)));
    expect(store.leaseOwnerOf(KEY)).toBeUndefined();
    expect((await store.read(KEY))?.snapshot?.readAtMs).toBe(drs.calls[0]?.atMs);
  });

  it('concurrent verifications in one process share one read, and a fresh one in memory answers without the table', async () => {
    // given one process (the local stack) and a table that counts what it is asked
    const clock = new VirtualClock();
    const table = new InMemoryJobSnapshots();
    const asked: string[] = [];
    const store: JobSnapshotStore = {
      read: (key) => { asked.push('read'); return table.read(key); },
      tryLease: (key, lease) => { asked.push('lease'); return table.tryLease(key, lease); },
      publish: (key, snapshot, owner, expiresAt) => { asked.push('publish'); return table.publish(key, snapshot, owner, expiresAt); },
    };
    const ids = serverIds(100);
    const drs = fakeDrs(clock, { [JOB.jobId]: ids });
    const reader = new JobLaunchActionsReader(store, clock);

    // when its 100 verifications ask at once, and again a second later
    await clock.run(Promise.all(ids.map((id) => reader.launchActions(JOB, id, drs.source))));
    clock.advance(1_000);
    const again = await clock.run(reader.launchActions(JOB, sid(7), drs.source));

    // then one read of the table, one lease, one DescribeJobs, one write
    expect(drs.calls).toHaveLength(1);
    expect(asked).toEqual(['read', 'lease', 'publish']);
    expect(again).toEqual(expectedFacts(1));
  });

  it('asked again after freshMs: one more DescribeJobs, and its newer facts; within freshMs another container reads the table only', async () => {
    // given the servers of a job read once
    const clock = new VirtualClock();
    const store = new InMemoryJobSnapshots();
    const ids = serverIds(100);
    const drs = fakeDrs(clock, { [JOB.jobId]: ids });
    await clock.run(Promise.all(containers(100, store, clock).map((reader, i) => reader.launchActions(JOB, ids[i] ?? '', drs.source))));
    const readAtMs = drs.calls[0]?.atMs ?? 0;

    // when a new container asks just before the read is freshMs old
    clock.advance(readAtMs + freshMs - 1 - clock.now());
    const stillFresh = await clock.run(new JobLaunchActionsReader(store, clock).launchActions(JOB, sid(1), drs.source));
    // then the table answers
    expect(drs.calls).toHaveLength(1);
    expect(stillFresh).toEqual(expectedFacts(1));

    // when all poll again once it is freshMs old
    clock.advance(1);
    const answers = await clock.run(Promise.all(containers(100, store, clock).map((reader, i) => reader.launchActions(JOB, ids[i] ?? '', drs.source))));

    // then DRS was asked once more, and everyone sees the actions succeeded
    expect(drs.calls).toHaveLength(2);
    expect(answers).toEqual(ids.map(() => expectedFacts(2)));
  });

  it('a lease held by another container: the reader answers from the snapshot the holder writes, without calling DRS', async () => {
    // given another container holding the job's lease, about to write what it read
    const clock = new VirtualClock();
    const store = new InMemoryJobSnapshots();
    const drs = fakeDrs(clock, { [JOB.jobId]: [sid(1)] });
    const start = clock.now();
    expect(await store.tryLease(KEY, { owner: 'container-b', nowMs: start, untilMs: start + leaseMs, staleBeforeMs: start - freshMs, expiresAtSeconds: 0 })).toBe(true);
    const holderWrites = clock.sleep(400).then(() => store.publish(KEY, { readAtMs: start, servers: { [sid(1)]: smokeTest(2) } }, 'container-b', 0));

    // when a verification of the job's server asks
    const answer = await clock.run(new JobLaunchActionsReader(store, clock).launchActions(JOB, sid(1), drs.source));
    await holderWrites;

    // then it waited for the holder (in steps) and answered with what the holder read
    expect(answer).toEqual(expectedFacts(2));
    expect(drs.calls).toHaveLength(0);
    expect(clock.now() - start).toBeGreaterThanOrEqual(400);
    expect(clock.now() - start).toBeLessThan(400 + stepMs);
  });

  it('a lease never released (its holder crashed): the reader reads DRS itself within waitMs, and shares what it read', async () => {
    // given a lease taken by a container that then died
    const clock = new VirtualClock();
    const store = new InMemoryJobSnapshots();
    const drs = fakeDrs(clock, { [JOB.jobId]: [sid(1), sid(2)] });
    const start = clock.now();
    await store.tryLease(KEY, { owner: 'crashed', nowMs: start, untilMs: start + leaseMs, staleBeforeMs: start - freshMs, expiresAtSeconds: 0 });

    // when a verification asks
    const answer = await clock.run(new JobLaunchActionsReader(store, clock).launchActions(JOB, sid(1), drs.source));

    // then it called DRS once it had waited waitMs, not for the whole lease
    expect(answer).toEqual(expectedFacts(1));
    expect(drs.calls.map((c) => c.atMs - start)).toEqual([waitMs]);
    // and what it read answers the job's other server, without another call (the dead lease is not its to release)
    expect(await clock.run(new JobLaunchActionsReader(store, clock).launchActions(JOB, sid(2), drs.source))).toEqual(expectedFacts(1));
    expect(drs.calls).toHaveLength(1);
    expect(store.leaseOwnerOf(KEY)).toBe('crashed');
  });

  it('an expired lease is taken over: one of the waiting containers reads DRS, under its own lease', async () => {
    // given a lease that expired a moment ago, over a stale snapshot
    const clock = new VirtualClock();
    const store = new InMemoryJobSnapshots();
    const ids = serverIds(10);
    const drs = fakeDrs(clock, { [JOB.jobId]: ids });
    const start = clock.now();
    await store.publish(KEY, { readAtMs: start - 60_000, servers: {} }, undefined, 0);
    await store.tryLease(KEY, { owner: 'slow', nowMs: start - leaseMs - 1, untilMs: start - 1, staleBeforeMs: start - freshMs, expiresAtSeconds: 0 });

    // when 10 containers ask
    const answers = await clock.run(Promise.all(containers(10, store, clock).map((reader, i) => reader.launchActions(JOB, ids[i] ?? '', drs.source))));

    // then one DescribeJobs, at once, and the lease is released
    expect(drs.calls.map((c) => c.atMs)).toEqual([start]);
    expect(answers).toEqual(ids.map(() => expectedFacts(1)));
    expect(store.leaseOwnerOf(KEY)).toBeUndefined();
  });

  it('two jobs: two DescribeJobs; the same job id in another region is another job', async () => {
    // given two jobs of 50 servers in one region, and a job with the first one's id in another region
    const clock = new VirtualClock();
    const store = new InMemoryJobSnapshots();
    const other: JobRef = { ...JOB, jobId: 'drsjob-2222222222222222b' };
    const elsewhere: JobRef = { ...JOB, region: 'eu-west-1' };
    const drs = fakeDrs(clock, { [JOB.jobId]: serverIds(50), [other.jobId]: serverIds(50, 51) });
    const asks = [
      ...serverIds(50).map((id) => [JOB, id] as const),
      ...serverIds(50, 51).map((id) => [other, id] as const),
      [elsewhere, sid(1)] as const,
    ];

    // when all their verifications ask at once
    const answers = await clock.run(Promise.all(asks.map(([job, id]) => new JobLaunchActionsReader(store, clock).launchActions(job, id, drs.source))));

    // then one DescribeJobs per job
    expect(drs.calls.map((c) => c.jobId).sort()).toEqual([JOB.jobId, JOB.jobId, other.jobId].sort());
    expect(answers.every((facts) => facts.found)).toBe(true);
  });

  it('a server the job does not list (yet) is not found, like DescribeJobs without it', async () => {
    const clock = new VirtualClock();
    const drs = fakeDrs(clock, { [JOB.jobId]: [sid(1)] });

    const answer = await clock.run(new JobLaunchActionsReader(new InMemoryJobSnapshots(), clock).launchActions(JOB, sid(99), drs.source));

    expect(answer).toEqual({ found: false, reported: false, runs: [] });
  });

  it('a DRS error reaches every verification waiting for that read, and a later call succeeds', async () => {
    // given DRS throttling the next DescribeJobs
    const clock = new VirtualClock();
    const store = new InMemoryJobSnapshots();
    const drs = fakeDrs(clock, { [JOB.jobId]: [sid(1), sid(2), sid(3)] });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    drs.failNext(throttled);
    const reader = new JobLaunchActionsReader(store, clock);

    // when three verifications of one process ask
    const failed = await clock.run(Promise.allSettled([1, 2, 3].map((n) => reader.launchActions(JOB, sid(n), drs.source))));

    // then each gets DRS's error (the launch is delivered again), from one call
    expect(failed).toEqual([1, 2, 3].map(() => ({ status: 'rejected', reason: throttled })));
    expect(drs.calls).toHaveLength(1);

    // when one asks again (the failed reader's lease not expired yet)
    const answer = await clock.run(reader.launchActions(JOB, sid(2), drs.source));

    // then it reads DRS after waiting waitMs at most, and succeeds
    expect(answer).toEqual(expectedFacts(2));
    expect(drs.calls).toHaveLength(2);
    expect((drs.calls[1]?.atMs ?? 0) - (drs.calls[0]?.atMs ?? 0) - DRS_LATENCY_MS).toBeLessThanOrEqual(waitMs);
  });

  it('the table unreachable: the verification reads DRS itself and the failure is logged', async () => {
    // given a table that refuses every call (say, a missing permission)
    const clock = new VirtualClock();
    const denied = () => Promise.reject(Object.assign(new Error('not authorized to perform: dynamodb:GetItem'), { name: 'AccessDeniedException' }));
    const store: JobSnapshotStore = { read: denied, tryLease: denied, publish: denied };
    const drs = fakeDrs(clock, { [JOB.jobId]: [sid(1)] });

    // when a verification asks
    const answer = await clock.run(new JobLaunchActionsReader(store, clock).launchActions(JOB, sid(1), drs.source));

    // then it has its answer from DRS, and the log says why nothing was shared
    expect(answer).toEqual(expectedFacts(1));
    expect(drs.calls).toHaveLength(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('AccessDeniedException');
  });

  it('a job too large for one item is answered but not shared', async () => {
    // given a job of 100 servers with 200 actions each (the simulator's quota per server)
    const clock = new VirtualClock();
    const store = new InMemoryJobSnapshots();
    const ids = serverIds(100);
    const many: ServerLaunchActions = { launchStatus: 'LAUNCHED', reported: true, runs: Array.from({ length: 200 }, (_, i) => ({ name: `Action number ${i} of the runbook`, optional: false, status: 'SUCCEEDED' })) };
    const drs = fakeDrs(clock, { [JOB.jobId]: ids }, () => many);

    // when a verification asks
    const answer = await clock.run(new JobLaunchActionsReader(store, clock).launchActions(JOB, sid(1), drs.source));

    // then it is answered, nothing is stored, and the log says so
    expect(answer).toEqual({ found: true, ...many });
    expect((await store.read(KEY))?.snapshot).toBeUndefined();
    expect(String(warn.mock.calls[0]?.[0])).toContain('too large to share');
  });
});
