import type { ExecutionEvent } from './events.js';
import type { BatchState, ExecutionState, ServerState, StartedState, WaveState } from './state.js';

export const initialState: ExecutionState = { status: 'NOT_STARTED' };

function withServer(state: StartedState, sourceServerId: string, change: (server: ServerState) => ServerState): StartedState {
  const server = state.servers.get(sourceServerId);
  if (!server) return state;
  return { ...state, servers: new Map(state.servers).set(sourceServerId, change(server)) };
}

function withWave(state: StartedState, waveId: string, change: (wave: WaveState) => WaveState): StartedState {
  const wave = state.waves.get(waveId);
  if (!wave) return state;
  return { ...state, waves: new Map(state.waves).set(waveId, change(wave)) };
}

/**
 * Applies one event to the state. Total: an event that does not fit the state (which the
 * decider never produces) leaves the state as it is.
 */
export function evolve(state: ExecutionState, event: ExecutionEvent): ExecutionState {
  if (event.type === 'ExecutionStarted') {
    if (state.status !== 'NOT_STARTED') return state;
    const { plan } = event.data;
    const waves = new Map<string, WaveState>();
    const servers = new Map<string, ServerState>();
    for (const wave of plan.waves) {
      waves.set(wave.waveId, {
        waveId: wave.waveId,
        name: wave.name,
        dependsOn: [...wave.dependsOn],
        launchOrder: wave.launchOrder,
        status: 'PENDING',
        serverIds: wave.servers.map((s) => s.sourceServerId),
        batchIds: [],
      });
      for (const s of wave.servers) {
        servers.set(s.sourceServerId, { ...s, waveId: wave.waveId, status: 'PENDING' });
      }
    }
    return {
      status: 'RUNNING',
      executionId: event.data.executionId,
      mode: event.data.mode,
      plan,
      startedAt: event.metadata.occurredAt,
      waveIds: plan.waves.map((w) => w.waveId),
      waves,
      servers,
      batches: new Map(),
      jobs: new Map(),
      verificationEventIds: new Set(),
    };
  }
  if (state.status === 'NOT_STARTED') return state;

  switch (event.type) {
    case 'WaveStarted':
      return withWave(state, event.data.waveId, (w) => ({ ...w, status: 'RUNNING' }));
    case 'ServerLaunchRequested': {
      const { batchId, waveId, sourceServerId, accountId, region } = event.data;
      const existing = state.batches.get(batchId);
      const batch: BatchState = existing
        ? { ...existing, sourceServerIds: [...existing.sourceServerIds, sourceServerId] }
        : { batchId, waveId, accountId, region, sourceServerIds: [sourceServerId] };
      const next = withWave(state, waveId, (w) => (existing ? w : { ...w, batchIds: [...w.batchIds, batchId] }));
      return withServer({ ...next, batches: new Map(next.batches).set(batchId, batch) }, sourceServerId, (s) => ({ ...s, status: 'LAUNCH_REQUESTED', batchId }));
    }
    case 'RecoveryJobStarted': {
      const { batchId, jobId, sourceServerIds } = event.data;
      const batch = state.batches.get(batchId);
      if (!batch) return state;
      let next: StartedState = {
        ...state,
        batches: new Map(state.batches).set(batchId, { ...batch, jobId }),
        jobs: new Map(state.jobs).set(jobId, batchId),
      };
      for (const id of sourceServerIds) next = withServer(next, id, (s) => ({ ...s, status: 'LAUNCHING', jobId }));
      return next;
    }
    case 'ServerLaunched': {
      const { recoveryInstanceId } = event.data;
      return withServer(state, event.data.sourceServerId, (s) => ({ ...s, status: 'LAUNCHED', ...(recoveryInstanceId ? { recoveryInstanceId } : {}) }));
    }
    case 'ServerLaunchFailed':
      return withServer(state, event.data.sourceServerId, (s) => ({ ...s, status: 'LAUNCH_FAILED' }));
    case 'ServerVerificationRecorded': {
      const next = withServer(state, event.data.sourceServerId, (s) => ({ ...s, status: event.data.outcome === 'VERIFIED' ? 'VERIFIED' : 'VERIFICATION_FAILED' }));
      return { ...next, verificationEventIds: new Set(next.verificationEventIds).add(event.data.verificationEventId) };
    }
    case 'WaveCompleted':
      return withWave(state, event.data.waveId, (w) => ({ ...w, status: 'COMPLETED' }));
    case 'WaveFailed':
      return withWave(state, event.data.waveId, (w) => ({ ...w, status: 'FAILED' }));
    case 'ExecutionCompleted':
      return { ...state, status: 'COMPLETED', completedAt: event.metadata.occurredAt };
    case 'ExecutionFailed':
      return { ...state, status: 'FAILED', failedAt: event.metadata.occurredAt, reason: event.data.reason };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
}

/** Folds a stream's events into the state. */
export function foldExecution(events: readonly ExecutionEvent[]): ExecutionState {
  return events.reduce(evolve, initialState);
}
