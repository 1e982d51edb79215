/**
 * DRS errors as the restJson1 protocol carries them: an HTTP status, the exception name in the
 * `x-amzn-errortype` header, and a JSON body with `message` and the exception's members
 * (shapes from the DRS model, service-2.json 2020-02-26).
 */

export type DrsErrorType =
  | 'ValidationException'
  | 'ServiceQuotaExceededException'
  | 'ConflictException'
  | 'ResourceNotFoundException'
  | 'ThrottlingException'
  | 'InternalServerException'
  | 'UninitializedAccountException'
  | 'AccessDeniedException'
  | 'UnknownOperationException';

export const ERROR_STATUS: Readonly<Record<DrsErrorType, number>> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 402,
  ConflictException: 409,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  InternalServerException: 500,
  UninitializedAccountException: 400,
  AccessDeniedException: 403,
  UnknownOperationException: 404,
};

export type ValidationExceptionReason = 'unknownOperation' | 'cannotParse' | 'fieldValidationFailed' | 'other';

export interface ValidationField {
  name: string;
  message: string;
}

/** The members of the error body besides `message` (all strings or the field list). */
export interface DrsErrorMembers {
  code?: string;
  reason?: ValidationExceptionReason;
  fieldList?: ValidationField[];
  resourceId?: string;
  resourceType?: string;
  serviceCode?: string;
  quotaCode?: string;
}

export class DrsError extends Error {
  readonly type: DrsErrorType;
  readonly statusCode: number;
  readonly members: DrsErrorMembers;
  /** Sent as the `Retry-After` header (Throttling/InternalServer). */
  readonly retryAfterSeconds: number | undefined;

  constructor(type: DrsErrorType, message: string, members: DrsErrorMembers = {}, retryAfterSeconds?: number) {
    super(message);
    this.name = type;
    this.type = type;
    this.statusCode = ERROR_STATUS[type];
    this.members = members;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The JSON body of the error response. */
  body(): Record<string, unknown> {
    return { message: this.message, ...this.members };
  }
}

export const SERVICE_CODE = 'drs';

/** Service Quotas codes of the DRS quotas the simulator enforces. */
export const QUOTA_CODES = {
  sourceServersPerJob: 'L-B827C881', // Max source servers in a single Job
  concurrentJobs: 'L-D88FAC3A', // Concurrent jobs in progress
  sourceServersInAllJobs: 'L-05AFA8C6', // Max source servers in all Jobs
  concurrentJobsPerSourceServer: 'L-DD6D028C', // Max concurrent Jobs per source server
  replicatingSourceServers: 'L-C1D14A2B', // Max Total replicating source servers Per AWS Account (not adjustable)
  sourceServers: 'L-E28BE5E0', // Max Total source servers Per AWS Account (adjustable)
  launchActionsPerResource: 'L-0588D03B', // Max number of launch actions per resource
} as const;

export function validationError(fields: ValidationField[], reason: ValidationExceptionReason = 'fieldValidationFailed'): DrsError {
  const count = fields.length;
  const details = fields.map((f) => `${f.name}: ${f.message}`).join('; ');
  const message = count === 0 ? 'Invalid request' : `${count} validation error${count === 1 ? '' : 's'} detected: ${details}`;
  return new DrsError('ValidationException', message, { reason, fieldList: fields });
}

/** A ValidationException about the request as a whole (reason `other`), not one member's constraint. */
export function invalidRequest(message: string, fields: ValidationField[] = []): DrsError {
  return new DrsError('ValidationException', message, { reason: 'other', fieldList: fields });
}

export function accessDenied(message: string): DrsError {
  return new DrsError('AccessDeniedException', message);
}

export function cannotParse(message: string): DrsError {
  return new DrsError('ValidationException', message, { reason: 'cannotParse', fieldList: [] });
}

export function quotaExceeded(message: string, quotaCode: string, resourceType: string, resourceId?: string): DrsError {
  return new DrsError('ServiceQuotaExceededException', message, {
    serviceCode: SERVICE_CODE,
    quotaCode,
    resourceType,
    ...(resourceId ? { resourceId } : {}),
  });
}

export function conflict(message: string, resourceType: string, resourceId: string): DrsError {
  return new DrsError('ConflictException', message, { resourceType, resourceId });
}

export function notFound(message: string, resourceType: string, resourceId: string): DrsError {
  return new DrsError('ResourceNotFoundException', message, { resourceType, resourceId });
}

export function uninitializedAccount(accountId: string, region: string): DrsError {
  return new DrsError(
    'UninitializedAccountException',
    `Account ${accountId} is not initialized for Elastic Disaster Recovery in region ${region}`,
  );
}

export function unknownOperation(method: string, path: string): DrsError {
  return new DrsError('UnknownOperationException', `No DRS operation matches ${method} ${path}`);
}
