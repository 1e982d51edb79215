import { DrsClient } from '@aws-sdk/client-drs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventPublisher } from '@lifeboat/events';
import type { PlanSnapshot } from '@lifeboat/service-api';
import { ServiceApiClient } from '@lifeboat/service-api';
import { DrsRecoveryJobs } from './adapters/drs.js';
import { DynamoDbJobDirectory } from './adapters/jobs.js';
import type { PlanResolver } from './api/operations.js';
import { config } from './config.js';
import { DynamoDbEventStore } from './event-store/dynamodb.js';
import { DynamoDbExecutionList } from './read-models/executions.js';

function lazy<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}

/**
 * The AWS adapters of the Lambda functions, created once per container on first use (so that
 * configuration is read after the environment is in place). Region, credentials and endpoints
 * come from the environment (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE> locally).
 *
 * DRS: a single account for now, with the function's own credentials. Cross-account recovery
 * will assume a role per (accountId, region) of the batch.
 */
export interface Runtime {
  dynamoDb: () => DynamoDBClient;
  store: () => DynamoDbEventStore;
  jobs: () => DynamoDbJobDirectory;
  executions: () => DynamoDbExecutionList;
  drs: () => DrsRecoveryJobs;
  publisher: () => EventPublisher;
  planning: () => ServiceApiClient;
  resolvePlan: () => PlanResolver;
  clock: () => Date;
}

export const runtime: Runtime = {
  dynamoDb: lazy(() => new DynamoDBClient({})),
  store: lazy(() => new DynamoDbEventStore(config.eventsTable(), runtime.dynamoDb())),
  jobs: lazy(() => new DynamoDbJobDirectory(config.jobsTable(), runtime.dynamoDb())),
  executions: lazy(() => new DynamoDbExecutionList(config.executionsTable(), runtime.dynamoDb())),
  drs: lazy(() => new DrsRecoveryJobs(new DrsClient({}))),
  publisher: lazy(() => new EventPublisher({ eventBusName: config.eventBusName() })),
  planning: lazy(() => new ServiceApiClient(config.planningApiFunction())),
  resolvePlan: (): PlanResolver => (input, caller) => runtime.planning().call<PlanSnapshot>('resolveRecoveryPlan', input, caller),
  clock: (): Date => new Date(),
};
