/** Why a command broke an invariant of the Execution aggregate. */
export type ExecutionErrorCode =
  | 'EXECUTION_NOT_STARTED'
  | 'EXECUTION_ALREADY_STARTED'
  | 'EXECUTION_FINISHED'
  | 'INVALID_PLAN'
  | 'UNKNOWN_SERVER'
  | 'UNKNOWN_BATCH'
  | 'UNKNOWN_JOB'
  | 'INCONSISTENT_COMMAND';

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
