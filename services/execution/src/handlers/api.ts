import type { Context } from 'aws-lambda';
import type { ApiRequest, ApiResponse } from '@lifeboat/service-api';
import { createApiHandler } from '@lifeboat/service-api';
import { createExecutionApi } from '../api/operations.js';
import { runtime } from '../runtime.js';

let api: ((request: ApiRequest, context?: Context) => Promise<ApiResponse>) | undefined;

/**
 * lifeboat-execution-<stage>-api: startExecution, getExecution, listExecutions, getExecutionEvents,
 * pauseExecution, resumeExecution, cancelExecution, approveStep, rejectStep, retryFailedServers, cleanupDrill.
 */
export const handler = (request: ApiRequest, context?: Context): Promise<ApiResponse> =>
  (api ??= createApiHandler(createExecutionApi({ store: runtime.store(), executions: runtime.executions(), resolvePlan: runtime.resolvePlan(), clock: runtime.clock })))(request, context);
