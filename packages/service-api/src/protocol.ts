import type { Context } from 'aws-lambda';
import type { ErrorBody } from './errors.js';
import { ForbiddenError, UnauthenticatedError, ValidationError, toErrorBody } from './errors.js';
import type { Permission } from './roles.js';
import { callerMay } from './roles.js';

/** The user (or system) on whose behalf a service API call is made. */
export interface Caller {
  /** `sub` of the token, or a system id. */
  userId: string;
  username: string;
  roles: string[];
}

/** What the gateway sends to a service's `api` function (Lambda Invoke, RequestResponse). */
export interface ApiRequest<TInput = unknown> {
  operation: string;
  input: TInput;
  caller: Caller;
}

export type ApiResponse<TResult = unknown> = { ok: true; result: TResult } | { ok: false; error: ErrorBody };

export interface Operation<TInput, TResult> {
  /** Checked again here, in the service, after the gateway checked it. */
  permission: Permission;
  handle: (input: TInput, caller: Caller) => Promise<TResult>;
}

/** Declares an operation with its input type; input is validated by the operation itself. */
export function operation<TInput, TResult>(permission: Permission, handle: (input: TInput, caller: Caller) => Promise<TResult>): Operation<TInput, TResult> {
  return { permission, handle };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- operations of heterogeneous input/result types
export type Operations = Record<string, Operation<any, any>>;

function isCaller(value: unknown): value is Caller {
  const c = value as Caller | undefined;
  return Boolean(c && typeof c.userId === 'string' && typeof c.username === 'string' && Array.isArray(c.roles));
}

/**
 * The Lambda handler of a service API: dispatches on `operation`, checks the caller's role,
 * and answers typed errors, never internals.
 */
export function createApiHandler(operations: Operations, log: (message: string, error: unknown) => void = (m, e) => console.error(m, e)) {
  return async (request: ApiRequest, _context?: Context): Promise<ApiResponse> => {
    try {
      if (!request || typeof request.operation !== 'string') throw new ValidationError('operation is required', 'operation');
      if (!isCaller(request.caller)) throw new UnauthenticatedError('caller is required');
      const op = Object.hasOwn(operations, request.operation) ? operations[request.operation] : undefined;
      if (!op) throw new ValidationError(`unknown operation ${request.operation}`, 'operation');
      if (!callerMay(request.caller, op.permission)) {
        throw new ForbiddenError(op.permission === 'service' ? `${request.operation} is for Lifeboat's services only` : `${request.operation} needs the ${op.permission} permission`);
      }
      return { ok: true, result: await op.handle(request.input ?? {}, request.caller) };
    } catch (error) {
      const body = toErrorBody(error);
      if (body.code === 'INTERNAL') log(`api ${request?.operation} failed`, error);
      return { ok: false, error: body };
    }
  };
}
