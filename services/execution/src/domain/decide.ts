import type { PlanSnapshot } from '@lifeboat/service-api';
import type { CommandMetadata, ExecutionCommand, RecordRecoveryJobStarted, RecordServerLaunchResult, RecordVerification, StartExecution } from './commands.js';
import { ExecutionInvariantError } from './errors.js';
import type { ExecutionEvent, ExecutionEventData, ExecutionEventType } from './events.js';
import { evolve } from './evolve.js';
import { eventIdOf } from './ids.js';
import type { ExecutionState, RunningState, ServerState, WaveState } from './state.js';
import { hasLaunchResult, hasVerificationResult, isServerDone, isServerInFlight } from './state.js';

/** DRS quota: at most 100 source servers in one recovery job. */
export const MAX_SERVERS_PER_JOB = 100;

/**
 * Collects the events of one decision, evolving a working copy of the state as it goes so that
 * later rules (wave completion, the next waves of the DAG) see the earlier events.
 */
class Decision {
  readonly events: ExecutionEvent[] = [];
  constructor(
    public state: ExecutionState,
    private readonly metadata: CommandMetadata,
    private readonly correlationId: string,
  ) {}

  /** When the decision is made. */
  get now(): string {
    return this.metadata.now;
  }

  emit<T extends ExecutionEventType>(type: T, data: ExecutionEventData[T]): void {
    const event = {
      type,
      data,
      metadata: {
        eventId: eventIdOf(this.metadata.commandId, this.events.length),
        schemaVersion: 1,
        occurredAt: this.metadata.now,
        correlationId: this.correlationId,
        causationId: this.metadata.causationId,
        actor: this.metadata.actor,
      },
    } as ExecutionEvent;
    this.events.push(event);
    this.state = evolve(this.state, event);
  }

  /** The working state, known to be running (checked by the caller before each use). */
  running(): RunningState | undefined {
    return this.state.status === 'RUNNING' ? this.state : undefined;
  }
}

/**
 * Decides which events a command causes in the given state: pure, no clock, no ids of its own.
 * Throws ExecutionInvariantError when the command cannot happen (nothing is then appended);
 * answers no events when the command was already applied (duplicates are expected).
 */
export function decide(command: ExecutionCommand, state: ExecutionState): ExecutionEvent[] {
  switch (command.type) {
    case 'StartExecution':
      return startExecution(command, state);
    case 'RecordRecoveryJobStarted':
      return recordRecoveryJobStarted(command, state);
    case 'RecordServerLaunchResult':
      return recordServerLaunchResult(command, state);
    case 'RecordVerification':
      return recordVerification(command, state);
    default: {
      const unexpected: never = command;
      throw new Error(`Unknown command ${(unexpected as { type: string }).type}`);
    }
  }
}

// ---------------------------------------------------------------- commands

function startExecution(command: StartExecution, state: ExecutionState): ExecutionEvent[] {
  if (state.status !== 'NOT_STARTED') {
    throw new ExecutionInvariantError('EXECUTION_ALREADY_STARTED', `Execution ${state.executionId} has already started`);
  }
  const { executionId, mode, plan } = command.data;
  const problems = planProblems(plan);
  if (problems.length > 0) throw new ExecutionInvariantError('INVALID_PLAN', `Plan ${plan.planId} v${plan.version} cannot run: ${problems.join('; ')}`, problems);
  const d = new Decision(state, command.metadata, executionId);
  d.emit('ExecutionStarted', { executionId, planId: plan.planId, planVersion: plan.version, mode, plan });
  advance(d);
  return d.events;
}

function recordRecoveryJobStarted(command: RecordRecoveryJobStarted, state: ExecutionState): ExecutionEvent[] {
  const running = requireRunning(state);
  const { batchId, jobId, accountId, region, sourceServerIds, isDrill } = command.data;
  const batch = running.batches.get(batchId);
  if (!batch) throw new ExecutionInvariantError('UNKNOWN_BATCH', `Execution ${running.executionId} requested no batch ${batchId}`);
  if (batch.jobId === jobId) return [];
  if (batch.jobId) throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Batch ${batchId} already runs in job ${batch.jobId}, not ${jobId}`);
  const otherBatch = running.jobs.get(jobId);
  if (otherBatch) throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Job ${jobId} already runs batch ${otherBatch}`);
  if (accountId !== batch.accountId || region !== batch.region) {
    throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Batch ${batchId} is in ${batch.accountId}/${batch.region}, not ${accountId}/${region}`);
  }
  if (!sameMembers(sourceServerIds, batch.sourceServerIds)) {
    throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Job ${jobId} does not launch exactly the servers of batch ${batchId}`);
  }
  if (isDrill !== (running.mode === 'DRILL')) {
    throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `A ${isDrill ? 'drill' : 'recovery'} job cannot serve a ${running.mode} execution`);
  }
  const d = new Decision(state, command.metadata, running.executionId);
  d.emit('RecoveryJobStarted', { executionId: running.executionId, waveId: batch.waveId, batchId, jobId, accountId, region, sourceServerIds: [...batch.sourceServerIds], isDrill });
  return d.events;
}

function recordServerLaunchResult(command: RecordServerLaunchResult, state: ExecutionState): ExecutionEvent[] {
  const running = requireRunning(state);
  const { jobId, sourceServerId, outcome, recoveryInstanceId, reason } = command.data;
  const server = requireServer(running, sourceServerId);
  const batchId = running.jobs.get(jobId);
  if (!batchId) throw new ExecutionInvariantError('UNKNOWN_JOB', `Execution ${running.executionId} has no job ${jobId}`);
  if (server.jobId !== jobId) throw new ExecutionInvariantError('UNKNOWN_SERVER', `Server ${sourceServerId} is not part of job ${jobId}`);
  if (hasLaunchResult(server)) return [];

  const d = new Decision(state, command.metadata, running.executionId);
  const ref = serverRef(running.executionId, server);
  if (outcome === 'LAUNCHED') {
    d.emit('ServerLaunched', { ...ref, jobId, ...(recoveryInstanceId ? { recoveryInstanceId } : {}) });
    return d.events;
  }
  const why = reason && reason.length > 0 ? reason : 'DRS could not launch the recovery instance';
  d.emit('ServerLaunchFailed', { ...ref, jobId, reason: why });
  if (server.criticality === 'CRITICAL') failWave(d, server, `critical server ${describe(server)} failed to launch: ${why}`);
  else advance(d);
  return d.events;
}

function recordVerification(command: RecordVerification, state: ExecutionState): ExecutionEvent[] {
  const running = requireRunning(state);
  const { verificationEventId, sourceServerId, outcome, checks, reason, ec2InstanceId } = command.data;
  const server = requireServer(running, sourceServerId);
  if (running.verificationEventIds.has(verificationEventId) || hasVerificationResult(server)) return [];
  if (server.status !== 'LAUNCHED') {
    throw new ExecutionInvariantError('INCONSISTENT_COMMAND', `Server ${sourceServerId} cannot be verified while ${server.status}`);
  }
  const recoveryInstanceId = command.data.recoveryInstanceId ?? server.recoveryInstanceId;
  const d = new Decision(state, command.metadata, running.executionId);
  d.emit('ServerVerificationRecorded', {
    ...serverRef(running.executionId, server),
    ...(recoveryInstanceId ? { recoveryInstanceId } : {}),
    ...(ec2InstanceId ? { ec2InstanceId } : {}),
    checks: checks.map((c) => ({ ...c })),
    outcome,
    ...(reason ? { reason } : {}),
    verificationEventId,
  });
  if (outcome === 'FAILED' && server.criticality === 'CRITICAL') {
    failWave(d, server, `critical server ${describe(server)} failed verification: ${reason && reason.length > 0 ? reason : 'a check failed'}`);
  } else {
    advance(d);
  }
  return d.events;
}

// ---------------------------------------------------------------- rules shared by the commands

/**
 * Moves the execution forward as far as the state allows: completes waves whose servers are all
 * done, starts every wave whose dependencies all completed (a DAG), requests the launches each
 * running wave may make now, and completes the execution when every wave completed.
 */
function advance(d: Decision): void {
  let progressed = true;
  while (progressed) {
    progressed = false;
    const running = d.running();
    if (!running) return;
    for (const waveId of running.waveIds) {
      const current = d.running();
      const wave = current?.waves.get(waveId);
      if (!current || !wave) continue;
      if (wave.status === 'PENDING' && wave.dependsOn.every((dep) => current.waves.get(dep)?.status === 'COMPLETED')) {
        d.emit('WaveStarted', { executionId: current.executionId, waveId, name: wave.name });
        progressed = true;
      }
      if (runWave(d, waveId)) progressed = true;
    }
  }
  const running = d.running();
  if (running && running.waveIds.every((id) => running.waves.get(id)?.status === 'COMPLETED')) {
    d.emit('ExecutionCompleted', {
      executionId: running.executionId,
      planId: running.plan.planId,
      mode: running.mode,
      durationMs: Math.max(0, Math.round(Date.parse(d.now) - Date.parse(running.startedAt))),
    });
  }
}

/** Requests the launches a running wave may make now and completes it when all is done. */
function runWave(d: Decision, waveId: string): boolean {
  const running = d.running();
  const wave = running?.waves.get(waveId);
  if (!running || !wave || wave.status !== 'RUNNING') return false;
  const servers = wave.serverIds.map((id) => running.servers.get(id)).filter((s): s is ServerState => s !== undefined);
  if (servers.every(isServerDone)) {
    d.emit('WaveCompleted', { executionId: running.executionId, waveId });
    return true;
  }
  const pending = servers.filter((s) => s.status === 'PENDING');
  if (pending.length === 0) return false;
  switch (wave.launchOrder) {
    case 'PARALLEL':
      for (const batch of parallelBatches(pending)) requestBatch(d, wave, batch);
      return true;
    case 'SEQUENTIAL': {
      // Boot order: one server at a time, the next when the previous is launched and verified.
      const next = pending[0];
      if (servers.some(isServerInFlight) || !next) return false;
      requestBatch(d, wave, [next]);
      return true;
    }
    default: {
      const unexpected: never = wave.launchOrder;
      throw new Error(`Unknown launch order ${String(unexpected)}`);
    }
  }
}

/** Groups servers by account and region (one DRS job each), at most MAX_SERVERS_PER_JOB per job. */
function parallelBatches(servers: ServerState[]): ServerState[][] {
  const byTarget = new Map<string, ServerState[]>();
  for (const server of servers) {
    const key = `${server.accountId}/${server.region}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), server]);
  }
  const batches: ServerState[][] = [];
  for (const group of byTarget.values()) {
    for (let i = 0; i < group.length; i += MAX_SERVERS_PER_JOB) batches.push(group.slice(i, i + MAX_SERVERS_PER_JOB));
  }
  return batches;
}

function requestBatch(d: Decision, wave: WaveState, servers: ServerState[]): void {
  const running = d.running();
  if (!running) return;
  const batchId = `${wave.waveId}-b${(running.waves.get(wave.waveId)?.batchIds.length ?? 0) + 1}`;
  for (const server of servers) d.emit('ServerLaunchRequested', { ...serverRef(running.executionId, server), batchId });
}

/** Error policy STOP: a failed critical server fails its wave and the execution. */
function failWave(d: Decision, server: ServerState, reason: string): void {
  const running = d.running();
  const wave = running?.waves.get(server.waveId);
  if (!running || !wave) return;
  d.emit('WaveFailed', { executionId: running.executionId, waveId: wave.waveId, reason, failedServerIds: [server.sourceServerId] });
  d.emit('ExecutionFailed', { executionId: running.executionId, planId: running.plan.planId, mode: running.mode, reason: `wave ${wave.name} failed: ${reason}` });
}

// ---------------------------------------------------------------- guards and helpers

function requireRunning(state: ExecutionState): RunningState {
  switch (state.status) {
    case 'RUNNING':
      return state;
    case 'NOT_STARTED':
      throw new ExecutionInvariantError('EXECUTION_NOT_STARTED', 'The execution has not started');
    case 'COMPLETED':
    case 'FAILED':
      throw new ExecutionInvariantError('EXECUTION_FINISHED', `Execution ${state.executionId} has already ${state.status === 'COMPLETED' ? 'completed' : 'failed'}`);
    default: {
      const unexpected: never = state;
      throw new Error(`Unknown state ${JSON.stringify(unexpected)}`);
    }
  }
}

function requireServer(running: RunningState, sourceServerId: string): ServerState {
  const server = running.servers.get(sourceServerId);
  if (!server) throw new ExecutionInvariantError('UNKNOWN_SERVER', `Server ${sourceServerId} is not part of execution ${running.executionId}`);
  return server;
}

function serverRef(executionId: string, server: ServerState) {
  return { executionId, waveId: server.waveId, sourceServerId: server.sourceServerId, accountId: server.accountId, region: server.region };
}

function describe(server: ServerState): string {
  return server.hostname ? `${server.sourceServerId} (${server.hostname})` : server.sourceServerId;
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && set.size === b.length && b.every((x) => set.has(x));
}

/** Why a plan snapshot cannot run: empty, duplicate ids, unknown or cyclic dependencies. */
export function planProblems(plan: PlanSnapshot): string[] {
  const problems: string[] = [];
  if (plan.waves.length === 0) problems.push('it has no waves');
  const waveIds = new Set<string>();
  const serverWave = new Map<string, string>();
  for (const wave of plan.waves) {
    if (waveIds.has(wave.waveId)) problems.push(`wave ${wave.waveId} appears twice`);
    waveIds.add(wave.waveId);
    for (const server of wave.servers) {
      const other = serverWave.get(server.sourceServerId);
      if (other !== undefined) problems.push(`server ${server.sourceServerId} appears in wave ${other} and wave ${wave.waveId}`);
      serverWave.set(server.sourceServerId, wave.waveId);
    }
  }
  if (plan.waves.length > 0 && serverWave.size === 0) problems.push('it has no servers');
  for (const wave of plan.waves) {
    for (const dep of wave.dependsOn) {
      if (dep === wave.waveId) problems.push(`wave ${wave.waveId} depends on itself`);
      else if (!waveIds.has(dep)) problems.push(`wave ${wave.waveId} depends on unknown wave ${dep}`);
    }
  }
  // Kahn's algorithm: whatever cannot be ordered lies on a cycle.
  const remaining = new Map(plan.waves.map((w) => [w.waveId, new Set(w.dependsOn.filter((d) => waveIds.has(d) && d !== w.waveId))]));
  let ordered = true;
  while (ordered) {
    ordered = false;
    for (const [id, deps] of remaining) {
      if (deps.size === 0) {
        remaining.delete(id);
        for (const other of remaining.values()) other.delete(id);
        ordered = true;
      }
    }
  }
  if (remaining.size > 0) problems.push(`waves ${[...remaining.keys()].join(', ')} depend on each other in a cycle`);
  return problems;
}
