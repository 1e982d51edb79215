import { describe, expect, it } from '@jest/globals';
import { validateEventDetail } from '@lifeboat/events';
import type { ExecutionCommand } from '../src/domain/commands.js';
import { decide, MAX_SERVERS_PER_JOB } from '../src/domain/decide.js';
import { foldExecution, initialState } from '../src/domain/evolve.js';
import { eventIdOf, ulidAfter } from '../src/domain/ids.js';
import { projectExecution } from '../src/domain/projection.js';
import {
  ACCOUNT, EXECUTION_ID, expected, given, history, jobId, launchResult, nextMetadata, plan, recordJob, REGION, sid, startExecution, verification,
} from './support/decider-spec.js';

const threeTier = plan({ id: 'db', servers: [1, 2] }, { id: 'app', dependsOn: ['db'], servers: [3] }, { id: 'web', dependsOn: ['app'], servers: [4] });

describe('StartExecution', () => {
  it('records the plan snapshot, starts the waves without dependencies and requests their launches', () => {
    given().when(startExecution(threeTier)).then(
      expected.started(threeTier),
      expected.waveStarted('db'),
      expected.launchRequested('db', 1, 'db-b1'),
      expected.launchRequested('db', 2, 'db-b1', false),
    );
  });

  it('starts every wave that depends on nothing, in plan order', () => {
    const twoRoots = plan({ id: 'a', servers: [1] }, { id: 'b', servers: [2] }, { id: 'c', dependsOn: ['a', 'b'], servers: [3] });
    given().when(startExecution(twoRoots)).then(
      expected.started(twoRoots),
      expected.waveStarted('a'),
      expected.launchRequested('a', 1, 'a-b1'),
      expected.waveStarted('b'),
      expected.launchRequested('b', 2, 'b-b1'),
    );
  });

  it('splits a PARALLEL wave of 250 servers into DRS jobs of 100 + 100 + 50', () => {
    const big = plan({ id: 'w', servers: Array.from({ length: 250 }, (_, i) => i + 1) });
    const events = given().when(startExecution(big)).events();
    const batches = new Map<string, number>();
    for (const e of events) if (e.type === 'ServerLaunchRequested') batches.set(e.data.batchId, (batches.get(e.data.batchId) ?? 0) + 1);
    expect([...batches]).toEqual([['w-b1', 100], ['w-b2', 100], ['w-b3', 50]]);
    expect(MAX_SERVERS_PER_JOB).toBe(100);
  });

  it('batches a PARALLEL wave per account and region', () => {
    const p = plan({ id: 'w', servers: [1, 2] });
    const other = { ...p, waves: [{ ...p.waves[0]!, servers: [...p.waves[0]!.servers, { sourceServerId: sid(3), accountId: '210987654321', region: 'eu-west-1', hostname: 'h3', criticality: 'CRITICAL' as const }] }] };
    const requested = given().when(startExecution(other)).events().filter((e) => e.type === 'ServerLaunchRequested');
    expect(requested.map((e) => [e.data.sourceServerId, e.data.batchId, e.data.accountId, e.data.region])).toEqual([
      [sid(1), 'w-b1', ACCOUNT, REGION],
      [sid(2), 'w-b1', ACCOUNT, REGION],
      [sid(3), 'w-b2', '210987654321', 'eu-west-1'],
    ]);
  });

  it('requests only the first server of a SEQUENTIAL wave, in its own batch', () => {
    const seq = plan({ id: 's', order: 'SEQUENTIAL', servers: [1, 2, 3] });
    given().when(startExecution(seq)).then(expected.started(seq), expected.waveStarted('s'), expected.launchRequested('s', 1, 's-b1'));
  });

  it('derives event ids from the command id and stamps time, actor and correlation from its metadata', () => {
    const command = startExecution(threeTier);
    const events = given().when(command).events();
    expect(events.map((e) => e.metadata.eventId)).toEqual(events.map((_, i) => eventIdOf(command.metadata.commandId, i)));
    expect(events[0]?.metadata.eventId).toBe(command.metadata.commandId);
    for (const e of events) {
      expect(e.metadata).toEqual({ eventId: expect.any(String), schemaVersion: 1, occurredAt: command.metadata.now, correlationId: EXECUTION_ID, causationId: null, actor: command.metadata.actor });
    }
    // Deciding again gives the very same events: no hidden clock or random ids.
    expect(decide(command, initialState)).toEqual(events);
  });

  it('never reuses an event id across commands whose ids a monotonic factory made in one millisecond', () => {
    const first = '01J9Z3Q8W5R7T2Y4V6K8M0P2AS';
    const ids = new Set<string>();
    for (let command = 0; command < 50; command++) {
      for (let index = 0; index < 300; index++) ids.add(eventIdOf(ulidAfter(first, command), index));
    }
    expect(ids.size).toBe(50 * 300);
    for (const id of ids) expect(id).toMatch(/^01J9Z3Q8W5[0-9A-HJKMNP-TV-Z]{16}$/);
  });

  it('refuses a plan that cannot run: unknown dependency, cycle, duplicate server, no servers', () => {
    given().when(startExecution(plan({ id: 'a', dependsOn: ['zz'], servers: [1] }))).thenThrows('INVALID_PLAN');
    given().when(startExecution(plan({ id: 'a', dependsOn: ['b'], servers: [1] }, { id: 'b', dependsOn: ['a'], servers: [2] }))).thenThrows('INVALID_PLAN');
    given().when(startExecution(plan({ id: 'a', servers: [1] }, { id: 'b', servers: [1] }))).thenThrows('INVALID_PLAN');
    given().when(startExecution(plan({ id: 'a', servers: [] }))).thenThrows('INVALID_PLAN');
  });

  it('cannot start twice', () => {
    given(...history(startExecution(threeTier))).when(startExecution(threeTier)).thenThrows('EXECUTION_ALREADY_STARTED');
  });
});

describe('RecordRecoveryJobStarted', () => {
  const started = () => history(startExecution(threeTier));

  it('records the job of a batch', () => {
    given(...started()).when(recordJob('db-b1', jobId(1), [1, 2])).then(expected.jobStarted('db', 'db-b1', jobId(1), [1, 2]));
  });

  it('is idempotent: a batch that already has its job records nothing', () => {
    given(...history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]))).when(recordJob('db-b1', jobId(1), [1, 2])).thenNothingHappened();
  });

  it('refuses a second, different job for a batch, an unknown batch, other servers, or a recovery job in a drill', () => {
    given(...history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]))).when(recordJob('db-b1', jobId(2), [1, 2])).thenThrows('INCONSISTENT_COMMAND');
    given(...started()).when(recordJob('nope-b1', jobId(1), [1, 2])).thenThrows('UNKNOWN_BATCH');
    given(...started()).when(recordJob('db-b1', jobId(1), [1])).thenThrows('INCONSISTENT_COMMAND');
    given(...started()).when(recordJob('db-b1', jobId(1), [1, 2], false)).thenThrows('INCONSISTENT_COMMAND');
  });

  it('refuses commands before the execution started', () => {
    given().when(recordJob('db-b1', jobId(1), [1, 2])).thenThrows('EXECUTION_NOT_STARTED');
  });
});

describe('RecordServerLaunchResult', () => {
  const jobStarted = () => history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]));

  it('records a launched server (and waits for its verification)', () => {
    given(...jobStarted()).when(launchResult(jobId(1), 1)).then(expected.launched('db', 1, jobId(1)));
  });

  /** Server 1 launched in job 1, with the EC2 instance DRS reported behind its recovery instance. */
  const launchedOnEc2 = (ec2InstanceId: string): ExecutionCommand => {
    const command = launchResult(jobId(1), 1);
    return command.type === 'RecordServerLaunchResult' ? { ...command, data: { ...command.data, ec2InstanceId } } : command;
  };

  it('records the EC2 instance behind the recovery instance when DRS reported it', () => {
    const before = jobStarted();
    const launched = expected.launched('db', 1, jobId(1));
    const events = given(...before).when(launchedOnEc2('i-0123456789abcdef0')).then({ ...launched, data: { ...(launched.data as object), ec2InstanceId: 'i-0123456789abcdef0' } });
    // and the execution view shows it
    expect(projectExecution([...before, ...events])?.waves[0]?.servers[0]).toMatchObject({ sourceServerId: sid(1), recoveryInstanceId: `i-${'1'.padStart(17, '0')}`, ec2InstanceId: 'i-0123456789abcdef0' });
  });

  it('refuses an EC2 instance id that is not one, and records nothing', () => {
    given(...jobStarted()).when(launchedOnEc2('vol-0123456789abcdef0')).thenThrows('INCONSISTENT_COMMAND');
    given(...jobStarted()).when(launchedOnEc2('i-0123456789ABCDEF0')).thenThrows('INCONSISTENT_COMMAND');
  });

  it('never counts a duplicate result twice', () => {
    const once = history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1));
    given(...once).when(launchResult(jobId(1), 1)).thenNothingHappened();
    given(...once).when(launchResult(jobId(1), 1, 'FAILED', 'late duplicate')).thenNothingHappened();
  });

  it('fails the wave and the execution when a CRITICAL server fails to launch (error policy STOP)', () => {
    given(...jobStarted()).when(launchResult(jobId(1), 2, 'FAILED', 'Insufficient capacity')).then(
      expected.launchFailed('db', 2, jobId(1), 'Insufficient capacity'),
      expected.waveFailed('db', 2, `critical server ${sid(2)} (host-2) failed to launch: Insufficient capacity`),
      expected.executionFailed(`wave Wave db failed: critical server ${sid(2)} (host-2) failed to launch: Insufficient capacity`),
    );
  });

  it('reports a failed OPTIONAL server and goes on: it is done', () => {
    const p = plan({ id: 'a', servers: [1, -2] }, { id: 'b', dependsOn: ['a'], servers: [3] });
    const h = history(startExecution(p), recordJob('a-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), verification(1));
    given(...h).when(launchResult(jobId(1), 2, 'FAILED', 'Boom')).then(
      expected.launchFailed('a', 2, jobId(1), 'Boom'),
      expected.waveCompleted('a'),
      expected.waveStarted('b'),
      expected.launchRequested('b', 3, 'b-b1'),
    );
  });

  it('refuses unknown jobs, servers of other jobs, unknown servers, and finished executions', () => {
    given(...jobStarted()).when(launchResult(jobId(9), 1)).thenThrows('UNKNOWN_JOB');
    given(...jobStarted()).when(launchResult(jobId(1), 42)).thenThrows('UNKNOWN_SERVER');
    const twoJobs = history(startExecution(plan({ id: 'a', servers: [1] }, { id: 'b', servers: [2] })), recordJob('a-b1', jobId(1), [1]), recordJob('b-b1', jobId(2), [2]));
    given(...twoJobs).when(launchResult(jobId(1), 2)).thenThrows('UNKNOWN_SERVER');
    const failed = history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1, 'FAILED'));
    given(...failed).when(launchResult(jobId(1), 2)).thenThrows('EXECUTION_FINISHED');
  });
});

describe('RecordVerification', () => {
  const launched = () => history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2));

  it('records a verification; the wave waits for its other servers', () => {
    given(...launched()).when(verification(1, 'VERIFIED', ulidAfter('01JA0000000000000000000000', 7))).then({
      type: 'ServerVerificationRecorded',
      data: {
        executionId: EXECUTION_ID, waveId: 'db', sourceServerId: sid(1), accountId: ACCOUNT, region: REGION,
        recoveryInstanceId: `i-${(1).toString(16).padStart(17, '0')}`,
        checks: [{ name: 'ec2-status', status: 'PASSED', durationMs: 1200 }],
        outcome: 'VERIFIED',
        verificationEventId: ulidAfter('01JA0000000000000000000000', 7),
      },
    });
  });

  it('completes the wave when every server is verified and starts the waves that depended on it', () => {
    const events = given(...launched()).when(verification(1)).events();
    expect(events.map((e) => e.type)).toEqual(['ServerVerificationRecorded']);
    const h = history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2), verification(1));
    const last = given(...h).when(verification(2)).events();
    expect(last.map((e) => e.type)).toEqual(['ServerVerificationRecorded', 'WaveCompleted', 'WaveStarted', 'ServerLaunchRequested']);
    expect(last[2]?.data).toEqual({ executionId: EXECUTION_ID, waveId: 'app', name: 'Wave app' });
  });

  it('ignores a verification event recorded before, or a second result for the same server', () => {
    const eventId = ulidAfter('01JA0000000000000000000000', 99);
    const h = [...launched(), ...decide(verification(1, 'VERIFIED', eventId), foldExecution(launched()))];
    given(...h).when(verification(1, 'VERIFIED', eventId)).thenNothingHappened();
    given(...h).when(verification(1, 'FAILED')).thenNothingHappened();
  });

  it('fails the wave and the execution when a CRITICAL server fails verification', () => {
    given(...launched()).when(verification(2, 'FAILED')).then(
      expected.verificationRecorded(2),
      expected.waveFailed('db', 2, `critical server ${sid(2)} (host-2) failed verification: EC2 status checks failed`),
      expected.executionFailed(`wave Wave db failed: critical server ${sid(2)} (host-2) failed verification: EC2 status checks failed`),
    );
  });

  it('counts an OPTIONAL server that failed verification as done', () => {
    const p = plan({ id: 'only', servers: [1, -2] });
    const h = history(startExecution(p), recordJob('only-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2), verification(1));
    const events = given(...h).when(verification(2, 'FAILED')).events();
    expect(events.map((e) => e.type)).toEqual(['ServerVerificationRecorded', 'WaveCompleted', 'ExecutionCompleted']);
  });

  it('refuses a verification of a server that has not launched, or is unknown', () => {
    const h = history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]));
    given(...h).when(verification(1)).thenThrows('INCONSISTENT_COMMAND');
    given(...launched()).when(verification(77)).thenThrows('UNKNOWN_SERVER');
  });
});

describe('SEQUENTIAL waves', () => {
  it('launch one server at a time in boot order, the next once the previous is verified', () => {
    const seq = plan({ id: 's', order: 'SEQUENTIAL', servers: [1, 2] });
    const h = history(startExecution(seq), recordJob('s-b1', jobId(1), [1]), launchResult(jobId(1), 1));
    given(...h).when(verification(1)).then(expected.verificationRecorded(1), expected.launchRequested('s', 2, 's-b2'));
    const h2 = [...h, ...decide(verification(1), foldExecution(h))];
    given(...h2).when(recordJob('s-b2', jobId(2), [2])).then(expected.jobStarted('s', 's-b2', jobId(2), [2]));
  });

  it('move on to the next server when an OPTIONAL one fails to launch', () => {
    const seq = plan({ id: 's', order: 'SEQUENTIAL', servers: [-1, 2] });
    const h = history(startExecution(seq), recordJob('s-b1', jobId(1), [1]));
    given(...h).when(launchResult(jobId(1), 1, 'FAILED', 'nope')).then(expected.launchFailed('s', 1, jobId(1), 'nope'), expected.launchRequested('s', 2, 's-b2'));
  });
});

describe('the waves form a DAG', () => {
  // A -> B, A -> C, (B, C) -> D
  const diamond = plan({ id: 'A', servers: [1] }, { id: 'B', dependsOn: ['A'], servers: [2] }, { id: 'C', dependsOn: ['A'], servers: [3] }, { id: 'D', dependsOn: ['B', 'C'], servers: [4] });

  it('starts B and C together after A, and D only after both B and C completed', () => {
    const afterA = history(startExecution(diamond), recordJob('A-b1', jobId(1), [1]), launchResult(jobId(1), 1), verification(1));
    expect(afterA.filter((e) => e.type === 'WaveStarted').map((e) => e.data.waveId)).toEqual(['A', 'B', 'C']);

    const bDone = history(startExecution(diamond), recordJob('A-b1', jobId(1), [1]), launchResult(jobId(1), 1), verification(1), recordJob('B-b1', jobId(2), [2]), launchResult(jobId(2), 2), verification(2), recordJob('C-b1', jobId(3), [3]), launchResult(jobId(3), 3));
    // B completed, C is launched but not verified: D must wait.
    expect(bDone.filter((e) => e.type === 'WaveCompleted').map((e) => e.data.waveId)).toEqual(['A', 'B']);
    expect(bDone.some((e) => e.type === 'WaveStarted' && e.data.waveId === 'D')).toBe(false);

    given(...bDone).when(verification(3)).then(
      expected.verificationRecorded(3),
      expected.waveCompleted('C'),
      expected.waveStarted('D'),
      expected.launchRequested('D', 4, 'D-b1'),
    );
  });

  it('completes the execution with its duration when the last wave completes', () => {
    const all = history(
      startExecution(diamond),
      recordJob('A-b1', jobId(1), [1]), launchResult(jobId(1), 1), verification(1),
      recordJob('B-b1', jobId(2), [2]), launchResult(jobId(2), 2), verification(2),
      recordJob('C-b1', jobId(3), [3]), launchResult(jobId(3), 3), verification(3),
      recordJob('D-b1', jobId(4), [4]), launchResult(jobId(4), 4),
    );
    const startedAt = Date.parse(all[0]!.metadata.occurredAt);
    const command = verification(4);
    given(...all).when(command).then(
      expected.verificationRecorded(4),
      expected.waveCompleted('D'),
      expected.executionCompleted(Date.parse(command.metadata.now) - startedAt),
    );
    const done = [...all, ...decide(command, foldExecution(all))];
    expect(foldExecution(done).status).toBe('COMPLETED');
    given(...done).when(verification(4, 'VERIFIED', ulidAfter('01JB0000000000000000000000', 1))).thenThrows('EXECUTION_FINISHED');
  });
});

describe('projectExecution', () => {
  it('builds the execution view from the events, never throwing', () => {
    const h = history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2, 'FAILED', 'no capacity'));
    const view = projectExecution(h);
    expect(view).toMatchObject({
      executionId: EXECUTION_ID, planId: 'plan-1', planVersion: 3, planName: 'Three tier app', mode: 'DRILL', status: 'FAILED', startedBy: 'Ada', version: h.length,
    });
    expect(view?.waves.map((w) => [w.waveId, w.status])).toEqual([['db', 'FAILED'], ['app', 'PENDING'], ['web', 'PENDING']]);
    expect(view?.waves[0]?.servers.map((s) => [s.sourceServerId, s.status, s.jobId])).toEqual([[sid(1), 'LAUNCHED', jobId(1)], [sid(2), 'LAUNCH_FAILED', jobId(1)]]);
    expect(projectExecution([])).toBeUndefined();
    expect(() => projectExecution([{ type: 'SomethingNew', data: {}, metadata: h[0]!.metadata }, ...h])).not.toThrow();
  });

  it('every event the decider emits matches its schema (whole run)', () => {
    const seq = plan({ id: 'a', order: 'SEQUENTIAL', servers: [1, 2] }, { id: 'b', dependsOn: ['a'], servers: [3] });
    const all = history(
      startExecution(seq, 'DRILL'),
      recordJob('a-b1', jobId(1), [1]), launchResult(jobId(1), 1), verification(1),
      recordJob('a-b2', jobId(2), [2]), launchResult(jobId(2), 2), verification(2),
      recordJob('b-b1', jobId(3), [3]), launchResult(jobId(3), 3), verification(3),
    );
    for (const e of all) expect(() => validateEventDetail(e.type, { metadata: e.metadata, data: e.data })).not.toThrow();
    expect(all.at(-1)?.type).toBe('ExecutionCompleted');
    expect(projectExecution(all)?.status).toBe('COMPLETED');
    expect(nextMetadata().actor.type).toBe('user');
  });
});
