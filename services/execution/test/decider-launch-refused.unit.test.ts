import { describe, expect, it } from '@jest/globals';
import type { ExecutionCommand } from '../src/domain/commands.js';
import { decide } from '../src/domain/decide.js';
import type { ExecutionEvent } from '../src/domain/events.js';
import { foldExecution } from '../src/domain/evolve.js';
import { projectExecution } from '../src/domain/projection.js';
import {
  ACCOUNT, cancel, EXECUTION_ID, expected, given, history, jobId, launchResult, nextMetadata, plan, recordJob, REGION, retry, sid, startExecution, verification, withWave,
} from './support/decider-spec.js';

/** The process manager could not put these servers of the batch in any DRS job. */
function refused(batchId: string, servers: number[], reason = 'no recovery snapshot taken before 2024-12-31T23:00:00.000Z'): ExecutionCommand {
  return { type: 'RecordServerLaunchRefused', data: { batchId, sourceServerIds: servers.map(sid), reason }, metadata: nextMetadata() };
}

const failedWithoutJob = (waveId: string, n: number, reason: string) => ({
  type: 'ServerLaunchFailed' as const,
  data: { executionId: EXECUTION_ID, waveId, sourceServerId: sid(n), accountId: ACCOUNT, region: REGION, reason },
});
const types = (events: ExecutionEvent[]) => events.map((e) => e.type);
const then = (h: ExecutionEvent[], command: ExecutionCommand) => [...h, ...decide(command, foldExecution(h))];

describe('RecordServerLaunchRefused', () => {
  const threeTier = plan({ id: 'db', servers: [1, 2] }, { id: 'app', dependsOn: ['db'], servers: [3] });

  it('a CRITICAL server refused before any job: failed without a job, so are its wave and the execution (STOP)', () => {
    given(...history(startExecution(threeTier))).when(refused('db-b1', [1], 'no snapshot')).then(
      failedWithoutJob('db', 1, 'no snapshot'),
      expected.waveFailed('db', 1, `critical server ${sid(1)} (host-1) failed to launch: no snapshot`),
      expected.executionFailed(`wave Wave db failed: critical server ${sid(1)} (host-1) failed to launch: no snapshot`),
    );
  });

  it('several CRITICAL servers fail their wave once, naming them all', () => {
    const events = given(...history(startExecution(threeTier))).when(refused('db-b1', [1, 2], 'DRS refused them')).events();
    expect(types(events)).toEqual(['ServerLaunchFailed', 'ServerLaunchFailed', 'WaveFailed', 'ExecutionFailed']);
    expect(events.every((e) => !('jobId' in e.data))).toBe(true);
    expect(events[2]?.data).toEqual({
      executionId: EXECUTION_ID, waveId: 'db', failedServerIds: [sid(1), sid(2)],
      reason: `critical servers ${sid(1)} (host-1), ${sid(2)} (host-2) failed to launch: DRS refused them`,
    });
  });

  it('an OPTIONAL server left out of the job is reported and skipped: the wave goes on', () => {
    const p = plan({ id: 'a', servers: [1, -2] }, { id: 'b', dependsOn: ['a'], servers: [3] });
    // The job was recorded with the whole batch; server 2 could not be put in it.
    const h = history(startExecution(p), recordJob('a-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), verification(1));
    given(...h).when(refused('a-b1', [2], 'no snapshot')).then(
      failedWithoutJob('a', 2, 'no snapshot'),
      expected.waveCompleted('a'),
      expected.waveStarted('b'),
      expected.launchRequested('b', 3, 'b-b1'),
    );
  });

  it('with CONTINUE, a refused CRITICAL server fails its wave and skips its dependents', () => {
    const p = withWave(plan({ id: 'A', servers: [1] }, { id: 'B', dependsOn: ['A'], servers: [2] }, { id: 'D', servers: [4] }), 'A', { errorPolicy: 'CONTINUE' });
    expect(types(given(...history(startExecution(p))).when(refused('A-b1', [1])).events())).toEqual(['ServerLaunchFailed', 'WaveFailed', 'WaveSkipped']);
  });

  it('decides nothing for a duplicate, and ignores servers that already have a result', () => {
    const p = plan({ id: 'a', servers: [1, -2, -3] });
    const h = history(startExecution(p), recordJob('a-b1', jobId(1), [1, 2, 3]), launchResult(jobId(1), 1));
    // Server 1 launched: only 2 and 3 fail.
    expect(given(...h).when(refused('a-b1', [1, 2, 3], 'x')).events().map((e) => e.type === 'ServerLaunchFailed' && e.data.sourceServerId)).toEqual([sid(2), sid(3)]);
    const once = then(h, refused('a-b1', [2, 3], 'x'));
    given(...once).when(refused('a-b1', [2, 3], 'x')).thenNothingHappened();
    given(...once).when(refused('a-b1', [1], 'x')).thenNothingHappened();
  });

  it('a late refusal of the batch of an earlier attempt changes nothing', () => {
    const failed = history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1), launchResult(jobId(1), 2, 'FAILED'));
    const retried = then(failed, retry());
    expect(foldExecution(retried).status).toBe('RUNNING');
    given(...retried).when(refused('db-b1', [2])).thenNothingHappened();
    // The new batch's refusal counts.
    expect(types(given(...retried).when(refused('db-b2', [2])).events())).toEqual(['ServerLaunchFailed', 'WaveFailed', 'ExecutionFailed']);
  });

  it('while cancelling: recorded without failing the wave, and the execution is cancelled once nothing is in flight', () => {
    const cancelling = then(history(startExecution(threeTier), recordJob('db-b1', jobId(1), [1, 2]), launchResult(jobId(1), 1)), cancel());
    expect(types(given(...cancelling).when(refused('db-b1', [2])).events())).toEqual(['ServerLaunchFailed', 'ExecutionCancelled']);
  });

  it('refuses unknown batches and servers, servers of another batch, and finished executions', () => {
    const h = history(startExecution(threeTier));
    given(...h).when(refused('db-b9', [1])).thenThrows('UNKNOWN_BATCH');
    given(...h).when(refused('db-b1', [42])).thenThrows('UNKNOWN_SERVER');
    given(...history(startExecution(plan({ id: 'db', servers: [1] }, { id: 'x', servers: [5] })))).when(refused('db-b1', [5])).thenThrows('INCONSISTENT_COMMAND');
    given(...then(h, refused('db-b1', [1]))).when(refused('db-b1', [2])).thenThrows('EXECUTION_FINISHED');
    given().when(refused('db-b1', [1])).thenThrows('EXECUTION_NOT_STARTED');
  });

  it('shows the server LAUNCH_FAILED without a job in the read model', () => {
    const p = plan({ id: 'a', servers: [1, -2] });
    const view = projectExecution(then(history(startExecution(p)), refused('a-b1', [2], 'no snapshot')));
    const server = view?.waves[0]?.servers.find((s) => s.sourceServerId === sid(2));
    expect(server?.status).toBe('LAUNCH_FAILED');
    expect(server).not.toHaveProperty('jobId');
  });
});
