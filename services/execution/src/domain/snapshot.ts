import type { ExecutionFacts, ExecutionState, StartedState } from './state.js';

/**
 * The format of a serialized ExecutionState. Bump it whenever ExecutionState or what evolve()
 * makes of an event changes: snapshots of another format are then ignored (the stream is folded
 * again), never misread.
 */
export const EXECUTION_STATE_FORMAT = 1;

/** Maps as [key, value] lists and sets as lists, one level deep (where ExecutionFacts has them). */
type Encoded<T> = {
  [K in keyof T]: T[K] extends ReadonlyMap<infer Key, infer Value> ? [Key, Value][] : T[K] extends ReadonlySet<infer Item> ? Item[] : T[K];
};

type EncodedState = { status: 'NOT_STARTED' } | Encoded<StartedState>;

/** A JSON-compatible ExecutionState. */
export interface SerializedExecutionState {
  format: number;
  state: EncodedState;
}

/**
 * ExecutionState as JSON-compatible data (for snapshots; JSON.stringify it). The Encoded type makes the compiler
 * refuse a new Map or Set field of ExecutionFacts until it is listed here and in the reader.
 */
export function serializeExecutionState(state: ExecutionState): SerializedExecutionState {
  if (state.status === 'NOT_STARTED') return { format: EXECUTION_STATE_FORMAT, state: { status: 'NOT_STARTED' } };
  const encoded: Encoded<StartedState> = {
    ...state,
    waves: [...state.waves],
    servers: [...state.servers],
    batches: [...state.batches],
    jobs: [...state.jobs],
    verificationEventIds: [...state.verificationEventIds],
    steps: [...state.steps],
    approvals: [...state.approvals],
    timers: [...state.timers],
    pauseBeforeWaveIds: [...state.pauseBeforeWaveIds],
    terminatedRecoveryInstanceIds: [...state.terminatedRecoveryInstanceIds],
  };
  // Shares the (immutable) records with the state: the stores write it as JSON anyway.
  return { format: EXECUTION_STATE_FORMAT, state: encoded };
}

/** The state of a serialized snapshot; undefined for another format or something that is not one. */
export function deserializeExecutionState(value: unknown): ExecutionState | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { format, state } = value as Partial<SerializedExecutionState>;
  if (format !== EXECUTION_STATE_FORMAT || typeof state !== 'object' || state === null) return undefined;
  if (state.status === 'NOT_STARTED') return { status: 'NOT_STARTED' };
  if (!Array.isArray(state.servers) || !Array.isArray(state.waves)) return undefined;
  const facts: Pick<ExecutionFacts, 'waves' | 'servers' | 'batches' | 'jobs' | 'verificationEventIds' | 'steps' | 'approvals' | 'timers' | 'pauseBeforeWaveIds' | 'terminatedRecoveryInstanceIds'> = {
    waves: new Map(state.waves),
    servers: new Map(state.servers),
    batches: new Map(state.batches),
    jobs: new Map(state.jobs),
    verificationEventIds: new Set(state.verificationEventIds),
    steps: new Map(state.steps),
    approvals: new Map(state.approvals),
    timers: new Map(state.timers),
    pauseBeforeWaveIds: new Set(state.pauseBeforeWaveIds),
    terminatedRecoveryInstanceIds: new Set(state.terminatedRecoveryInstanceIds),
  };
  const decoded: StartedState = { ...state, ...facts };
  return decoded;
}
