import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope } from '@lifeboat/events';
import { createApiHandler } from '@lifeboat/service-api';
import { createExecutionApi } from '../api/operations.js';
import { config, log } from '../config.js';
import { runtime } from '../runtime.js';
import type { StartRequestDeps, StartRequestResult } from '../triggers/start-requested.js';
import { handleStartRequest } from '../triggers/start-requested.js';
import { DynamoDbStartRequestLog } from '../triggers/start-requests.js';
import type { TriggerSources } from '../triggers/sources.js';
import { parseTriggerSources } from '../triggers/sources.js';
import { apiDeps } from './api.js';

/** Beyond the function's timeout (60 s in serverless.yml): a handling that crashed lets go by then. */
const LEASE_MS = 120_000;

let deps: StartRequestDeps | undefined;
let sources: TriggerSources | undefined;

function startRequestDeps(): StartRequestDeps {
  return (deps ??= {
    sources: () => (sources ??= parseTriggerSources(config.triggerSources())),
    requests: new DynamoDbStartRequestLog(config.idempotencyTable(), runtime.dynamoDb()),
    // The API's own operation and checks, with the execution id the request reserved.
    startExecution: (input, caller, request) =>
      createApiHandler(createExecutionApi({ ...apiDeps(), startRequest: request }), (message, error) => log('error', message, { error }))({ operation: 'startExecution', input, caller }),
    publish: (events) => runtime.publisher().publish(events),
    clock: runtime.clock,
    leaseMs: LEASE_MS,
  });
}

/**
 * lifeboat-execution-<stage>-onExecutionStartRequested: ExecutionStartRequested of an accepted
 * source (EXECUTION_TRIGGER_SOURCES) -> the API's startExecution with the source's role ->
 * ExecutionStarted, or ExecutionStartRefused.
 */
export const handler = async (event: EventBridgeEnvelope<unknown>, _context?: Context): Promise<StartRequestResult> => {
  const result = await handleStartRequest(startRequestDeps(), event);
  if (result.outcome === 'REFUSED') log('warn', 'start request refused', { ...result.refusal.data });
  else log('info', 'start request', { source: event.source, executionId: result.executionId, repeated: result.repeated });
  return result;
};
