/** The error codes a client can see (GraphQL `extensions.code`). */
export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'QUOTA_EXCEEDED' | 'INTERNAL';

/** A problem with one field of the input. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Base of the few typed errors a service may answer with. */
export abstract class LifeboatError extends Error {
  abstract readonly code: ErrorCode;
  constructor(message: string, readonly field?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad input; `problems` lists every problem found, `field` the first. */
export class ValidationError extends LifeboatError {
  override readonly name = 'ValidationError';
  readonly code = 'BAD_USER_INPUT' as const;
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[] | string, field?: string) {
    const list = typeof problems === 'string' ? [{ field: field ?? '', message: problems }] : problems;
    super(list.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; '), list[0]?.field);
    this.problems = list;
  }
}

export class NotFoundError extends LifeboatError {
  override readonly name = 'NotFoundError';
  readonly code = 'NOT_FOUND' as const;
}

export class ConflictError extends LifeboatError {
  override readonly name = 'ConflictError';
  readonly code = 'CONFLICT' as const;
}

export class ForbiddenError extends LifeboatError {
  override readonly name = 'ForbiddenError';
  readonly code = 'FORBIDDEN' as const;
}

export class UnauthenticatedError extends LifeboatError {
  override readonly name = 'UnauthenticatedError';
  readonly code = 'UNAUTHENTICATED' as const;
}

export class QuotaExceededError extends LifeboatError {
  override readonly name = 'QuotaExceededError';
  readonly code = 'QUOTA_EXCEEDED' as const;
}

/** The serialisable form of an error crossing a service boundary. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  field?: string;
  problems?: FieldProblem[];
}

export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof ValidationError) return { code: error.code, message: error.message, field: error.field, problems: error.problems };
  if (error instanceof LifeboatError) return { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) };
  // Never leak internals across the boundary.
  return { code: 'INTERNAL', message: 'Internal error' };
}

export function fromErrorBody(body: ErrorBody): LifeboatError | Error {
  switch (body.code) {
    case 'BAD_USER_INPUT':
      return new ValidationError(body.problems ?? [{ field: body.field ?? '', message: body.message }]);
    case 'NOT_FOUND':
      return new NotFoundError(body.message, body.field);
    case 'CONFLICT':
      return new ConflictError(body.message, body.field);
    case 'FORBIDDEN':
      return new ForbiddenError(body.message, body.field);
    case 'UNAUTHENTICATED':
      return new UnauthenticatedError(body.message, body.field);
    case 'QUOTA_EXCEEDED':
      return new QuotaExceededError(body.message, body.field);
    case 'INTERNAL':
      return new Error(body.message);
    default:
      // A code this version does not know (say, from a newer service): still an Error, never `undefined`.
      return new Error(body.message || 'Unknown error');
  }
}
