import { expect } from '@jest/globals';
import { validateEventDetail } from '@lifeboat/events';
import type { Criticality, LaunchOrder, PlanSnapshot } from '@lifeboat/service-api';
import type { CommandMetadata, ExecutionCommand } from '../../src/domain/commands.js';
import { decide } from '../../src/domain/decide.js';
import type { ExecutionErrorCode } from '../../src/domain/errors.js';
import { ExecutionInvariantError } from '../../src/domain/errors.js';
import type { ExecutionEvent } from '../../src/domain/events.js';
import { foldExecution } from '../../src/domain/evolve.js';
import { ulidAfter } from '../../src/domain/ids.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
export const EXECUTION_ID = '01J9Z3Q8W5R7T2Y4V6K8M0P2AS';
export const START = '2025-01-01T10:00:00.000Z';

/** A source server id as DRS writes them (s- and 17 characters). */
export function sid(n: number): string {
  return `s-${n.toString(16).padStart(17, '0')}`;
}

export function jobId(n: number): string {
  return `drsjob-${n.toString(16).padStart(17, '0')}`;
}

export interface WaveSpec {
  id: string;
  dependsOn?: string[];
  order?: LaunchOrder;
  /** Server numbers; a negative number is an OPTIONAL server. */
  servers: number[];
  accountId?: string;
  region?: string;
}

export function plan(...waves: WaveSpec[]): PlanSnapshot {
  return {
    planId: 'plan-1',
    version: 3,
    name: 'Three tier app',
    waves: waves.map((w) => ({
      waveId: w.id,
      name: `Wave ${w.id}`,
      dependsOn: w.dependsOn ?? [],
      launchOrder: w.order ?? 'PARALLEL',
      servers: w.servers.map((n) => ({
        sourceServerId: sid(Math.abs(n)),
        accountId: w.accountId ?? ACCOUNT,
        region: w.region ?? REGION,
        hostname: `host-${Math.abs(n)}`,
        criticality: (n < 0 ? 'OPTIONAL' : 'CRITICAL') as Criticality,
      })),
    })),
  };
}

let clock = Date.parse(START);
let sequence = 0;

/** Metadata of the next command: one second later than the previous one, a fresh ULID. */
export function nextMetadata(atMs?: number): CommandMetadata {
  clock = atMs ?? clock + 1000;
  sequence += 1;
  // A ULID whose time part is fixed and whose random part counts commands.
  const commandId = ulidAfter('01J00000000000000000000000', sequence * 1000);
  return { commandId, now: new Date(clock).toISOString(), actor: { type: 'user', id: 'user-1', name: 'Ada' }, causationId: null };
}

export function resetClock(): void {
  clock = Date.parse(START);
}

type Expected = { type: ExecutionEvent['type']; data: unknown };

function validateAll(events: ExecutionEvent[]): void {
  for (const event of events) validateEventDetail(event.type, { metadata: event.metadata, data: event.data });
}

/** Given events / when command / then events (type and data), each validated against its schema. */
export function given(...history: ExecutionEvent[]) {
  validateAll(history);
  const state = foldExecution(history);
  return {
    when(command: ExecutionCommand) {
      const run = () => decide(command, state);
      return {
        then(...expected: Expected[]): ExecutionEvent[] {
          const events = run();
          validateAll(events);
          expect(events.map(({ type, data }) => ({ type, data }))).toEqual(expected);
          return events;
        },
        /** Runs the decision and hands back the events for assertions of their own. */
        events(): ExecutionEvent[] {
          const events = run();
          validateAll(events);
          return events;
        },
        thenNothingHappened(): void {
          expect(run()).toEqual([]);
        },
        thenThrows(code: ExecutionErrorCode): void {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(ExecutionInvariantError);
          expect((thrown as ExecutionInvariantError).code).toBe(code);
        },
      };
    },
  };
}

/** Builds a history by deciding commands one after the other (for the longer scenarios). */
export function history(...commands: ExecutionCommand[]): ExecutionEvent[] {
  const events: ExecutionEvent[] = [];
  for (const command of commands) events.push(...decide(command, foldExecution(events)));
  return events;
}

// ---------------------------------------------------------------- commands

export function startExecution(p: PlanSnapshot, mode: 'DRILL' | 'RECOVERY' = 'DRILL'): ExecutionCommand {
  return { type: 'StartExecution', data: { executionId: EXECUTION_ID, mode, plan: p }, metadata: nextMetadata() };
}

export function recordJob(batchId: string, job: string, servers: number[], isDrill = true): ExecutionCommand {
  return { type: 'RecordRecoveryJobStarted', data: { batchId, jobId: job, accountId: ACCOUNT, region: REGION, sourceServerIds: servers.map(sid), isDrill }, metadata: nextMetadata() };
}

export function launchResult(job: string, server: number, outcome: 'LAUNCHED' | 'FAILED' = 'LAUNCHED', reason?: string): ExecutionCommand {
  return {
    type: 'RecordServerLaunchResult',
    data: { jobId: job, sourceServerId: sid(server), outcome, ...(outcome === 'LAUNCHED' ? { recoveryInstanceId: `i-${server.toString(16).padStart(17, '0')}` } : {}), ...(reason ? { reason } : {}) },
    metadata: nextMetadata(),
  };
}

export function verification(server: number, outcome: 'VERIFIED' | 'FAILED' = 'VERIFIED', eventId = ulidAfter('01JA0000000000000000000000', server * 10 + (outcome === 'VERIFIED' ? 1 : 2))): ExecutionCommand {
  return {
    type: 'RecordVerification',
    data: {
      verificationEventId: eventId,
      sourceServerId: sid(server),
      outcome,
      checks: [{ name: 'ec2-status', status: outcome === 'VERIFIED' ? 'PASSED' : 'FAILED', durationMs: 1200 }],
      ...(outcome === 'FAILED' ? { reason: 'EC2 status checks failed' } : {}),
    },
    metadata: nextMetadata(),
  };
}

// ---------------------------------------------------------------- expected events (type + data)

const ref = (waveId: string, n: number) => ({ executionId: EXECUTION_ID, waveId, sourceServerId: sid(n), accountId: ACCOUNT, region: REGION });

export const expected = {
  started: (p: PlanSnapshot, mode: 'DRILL' | 'RECOVERY' = 'DRILL'): Expected => ({ type: 'ExecutionStarted', data: { executionId: EXECUTION_ID, planId: p.planId, planVersion: p.version, mode, plan: p } }),
  waveStarted: (waveId: string): Expected => ({ type: 'WaveStarted', data: { executionId: EXECUTION_ID, waveId, name: `Wave ${waveId}` } }),
  /** `leader`: the first server of its batch (the default: most batches in these tests have one server). */
  launchRequested: (waveId: string, n: number, batchId: string, leader = true): Expected => ({ type: 'ServerLaunchRequested', data: { ...ref(waveId, n), batchId, ...(leader ? { batchLeader: true } : {}) } }),
  jobStarted: (waveId: string, batchId: string, job: string, servers: number[], isDrill = true): Expected => ({
    type: 'RecoveryJobStarted',
    data: { executionId: EXECUTION_ID, waveId, batchId, jobId: job, accountId: ACCOUNT, region: REGION, sourceServerIds: servers.map(sid), isDrill },
  }),
  launched: (waveId: string, n: number, job: string): Expected => ({ type: 'ServerLaunched', data: { ...ref(waveId, n), jobId: job, recoveryInstanceId: `i-${n.toString(16).padStart(17, '0')}` } }),
  launchFailed: (waveId: string, n: number, job: string, reason: string): Expected => ({ type: 'ServerLaunchFailed', data: { ...ref(waveId, n), jobId: job, reason } }),
  verificationRecorded: (n: number): Expected => ({ type: 'ServerVerificationRecorded', data: expect.objectContaining({ sourceServerId: sid(n) }) }),
  waveCompleted: (waveId: string): Expected => ({ type: 'WaveCompleted', data: { executionId: EXECUTION_ID, waveId } }),
  waveFailed: (waveId: string, n: number, reason: string): Expected => ({ type: 'WaveFailed', data: { executionId: EXECUTION_ID, waveId, reason, failedServerIds: [sid(n)] } }),
  executionCompleted: (durationMs: number, mode: 'DRILL' | 'RECOVERY' = 'DRILL'): Expected => ({ type: 'ExecutionCompleted', data: { executionId: EXECUTION_ID, planId: 'plan-1', mode, durationMs } }),
  executionFailed: (reason: string): Expected => ({ type: 'ExecutionFailed', data: { executionId: EXECUTION_ID, planId: 'plan-1', mode: 'DRILL', reason } }),
};

// ---------------------------------------------------------------- the rules of issue 5

/** A user acting with roles (approvals check them). */
export function as(command: ExecutionCommand, id: string, roles: string[], name?: string): ExecutionCommand {
  return { ...command, metadata: { ...command.metadata, actor: { type: 'user', id, ...(name ? { name } : {}) }, roles } } as ExecutionCommand;
}

export function withWave(p: PlanSnapshot, waveId: string, change: Partial<PlanSnapshot['waves'][number]>): PlanSnapshot {
  return { ...p, waves: p.waves.map((w) => (w.waveId === waveId ? { ...w, ...change } : w)) };
}

type StartOptions = NonNullable<Extract<ExecutionCommand, { type: 'StartExecution' }>['data']['options']>;

export function startWith(p: PlanSnapshot, options: StartOptions, mode: 'DRILL' | 'RECOVERY' = 'DRILL'): ExecutionCommand {
  return { type: 'StartExecution', data: { executionId: EXECUTION_ID, mode, plan: p, options }, metadata: nextMetadata() };
}

const command = <T extends ExecutionCommand['type']>(type: T, data: Extract<ExecutionCommand, { type: T }>['data']): ExecutionCommand =>
  ({ type, data, metadata: nextMetadata() }) as ExecutionCommand;

export const pause = (beforeWaveId?: string) => command('PauseExecution', beforeWaveId ? { beforeWaveId } : {});
export const resume = () => command('ResumeExecution', {});
export const cancel = (terminateInstances?: boolean) => command('CancelExecution', terminateInstances === undefined ? {} : { terminateInstances });
export const approve = (approvalId: string, comment?: string) => command('ApproveStep', { approvalId, ...(comment ? { comment } : {}) });
export const reject = (approvalId: string, comment?: string) => command('RejectStep', { approvalId, ...(comment ? { comment } : {}) });
export const stepResult = (stepId: string, outcome: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED', text?: string) =>
  command('RecordStepResult', { stepId, outcome, ...(text ? (outcome === 'SUCCEEDED' ? { output: text } : { reason: text }) : {}) });
export const timerElapsed = (timerId: string) => command('RecordTimerElapsed', { timerId });
export const retry = (servers?: number[]) => command('RetryFailedServers', servers ? { sourceServerIds: servers.map(sid) } : {});
export const cleanup = () => command('CleanupDrill', {});
export const cleanupResult = (terminated: string[], failed: { recoveryInstanceId: string; reason: string }[] = []) =>
  command('RecordCleanupResult', { terminatedRecoveryInstanceIds: terminated, failed });

export const instanceId = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

/** Launches and verifies servers one job each: a run of commands to put in history(). */
export function launchAndVerify(waveId: string, batch: number, job: number, servers: number[]): ExecutionCommand[] {
  return [recordJob(`${waveId}-b${batch}`, jobId(job), servers), ...servers.map((n) => launchResult(jobId(job), n)), ...servers.map((n) => verification(n))];
}
