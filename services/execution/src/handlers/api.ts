import type { Context } from 'aws-lambda';
import type { ApiRequest, ApiResponse } from '@lifeboat/service-api';
import { createApiHandler } from '@lifeboat/service-api';
import { createExecutionApi } from '../api/operations.js';
import type { ExecutionApiDeps } from '../api/operations.js';
import { DynamoDbServerClaims } from '../claims/store.js';
import { config, log } from '../config.js';
import { runtime } from '../runtime.js';

let api: ((request: ApiRequest, context?: Context) => Promise<ApiResponse>) | undefined;
let claims: DynamoDbServerClaims | undefined;

/** What the API operations run on; onExecutionStartRequested starts executions through the same operations. */
export function apiDeps(): ExecutionApiDeps {
  claims ??= new DynamoDbServerClaims(config.serverClaimsTable(), runtime.dynamoDb());
  return {
    store: runtime.store(),
    executions: runtime.executions(),
    views: runtime.views(),
    resolvePlan: runtime.resolvePlan(),
    clock: runtime.clock,
    claims,
    log: (message, details) => log('error', message, details),
  };
}

/**
 * lifeboat-execution-<stage>-api: startExecution, getExecution, listExecutions, getExecutionEvents,
 * pauseExecution, resumeExecution, cancelExecution, approveStep, rejectStep, retryFailedServers, cleanupDrill.
 */
export const handler = (request: ApiRequest, context?: Context): Promise<ApiResponse> => (api ??= createApiHandler(createExecutionApi(apiDeps())))(request, context);
