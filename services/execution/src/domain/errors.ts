/** Why a command broke an invariant of the Execution aggregate. */
export type ExecutionErrorCode =
  | 'EXECUTION_NOT_STARTED'
  | 'EXECUTION_ALREADY_STARTED'
  | 'EXECUTION_FINISHED'
  | 'INVALID_PLAN'
  | 'UNKNOWN_SERVER'
  | 'UNKNOWN_BATCH'
  | 'UNKNOWN_JOB'
  | 'INCONSISTENT_COMMAND'
  | 'INVALID_OPTIONS'
  | 'UNKNOWN_WAVE'
  | 'UNKNOWN_STEP'
  | 'UNKNOWN_APPROVAL'
  | 'UNKNOWN_TIMER'
  | 'APPROVAL_NOT_PENDING'
  | 'NOT_PERMITTED'
  | 'SECOND_APPROVER_IS_STARTER'
  | 'WAVE_ALREADY_STARTED'
  | 'ALREADY_PAUSED'
  | 'NOT_PAUSED'
  | 'CANCELLING'
  | 'NOTHING_TO_RETRY'
  | 'NOT_A_DRILL'
  | 'EXECUTION_STILL_RUNNING'
  | 'NOTHING_TO_CLEAN_UP'
  | 'CLEANUP_NOT_STARTED';

/** How the API answers each code (GraphQL extensions.code). */
export type ExecutionErrorCategory = 'BAD_USER_INPUT' | 'FORBIDDEN' | 'CONFLICT' | 'NOT_FOUND' | 'INTERNAL';

const CATEGORIES: Record<ExecutionErrorCode, ExecutionErrorCategory> = {
  EXECUTION_NOT_STARTED: 'NOT_FOUND',
  EXECUTION_ALREADY_STARTED: 'CONFLICT',
  EXECUTION_FINISHED: 'CONFLICT',
  INVALID_PLAN: 'BAD_USER_INPUT',
  UNKNOWN_SERVER: 'BAD_USER_INPUT',
  UNKNOWN_BATCH: 'INTERNAL',
  UNKNOWN_JOB: 'INTERNAL',
  INCONSISTENT_COMMAND: 'INTERNAL',
  INVALID_OPTIONS: 'BAD_USER_INPUT',
  UNKNOWN_WAVE: 'BAD_USER_INPUT',
  UNKNOWN_STEP: 'BAD_USER_INPUT',
  UNKNOWN_APPROVAL: 'BAD_USER_INPUT',
  UNKNOWN_TIMER: 'INTERNAL',
  APPROVAL_NOT_PENDING: 'CONFLICT',
  NOT_PERMITTED: 'FORBIDDEN',
  SECOND_APPROVER_IS_STARTER: 'FORBIDDEN',
  WAVE_ALREADY_STARTED: 'CONFLICT',
  ALREADY_PAUSED: 'CONFLICT',
  NOT_PAUSED: 'CONFLICT',
  CANCELLING: 'CONFLICT',
  NOTHING_TO_RETRY: 'CONFLICT',
  NOT_A_DRILL: 'BAD_USER_INPUT',
  EXECUTION_STILL_RUNNING: 'CONFLICT',
  NOTHING_TO_CLEAN_UP: 'CONFLICT',
  CLEANUP_NOT_STARTED: 'INTERNAL',
};

/** The API error an invariant error maps to (INTERNAL: a bug or a mis-delivered process-manager command). */
export function categoryOf(code: ExecutionErrorCode): ExecutionErrorCategory {
  return CATEGORIES[code];
}

/**
 * A command that cannot happen in the current state: a bug or a mis-delivery, never an
 * expected outcome (those are events). Nothing is appended when it is thrown.
 */
export class ExecutionInvariantError extends Error {
  override readonly name = 'ExecutionInvariantError';
  constructor(
    readonly code: ExecutionErrorCode,
    message: string,
    /** Every problem found, for INVALID_PLAN. */
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export function isExecutionError(error: unknown, code: ExecutionErrorCode): error is ExecutionInvariantError {
  return error instanceof ExecutionInvariantError && error.code === code;
}
