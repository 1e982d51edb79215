import { DrsClient } from '@aws-sdk/client-drs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventPublisher } from '@lifeboat/events';
import type { PlanSnapshot } from '@lifeboat/service-api';
import { ServiceApiClient } from '@lifeboat/service-api';
import type { AccountClientConfig, AccountScope } from '@lifeboat/target-accounts';
import { TargetAccounts } from '@lifeboat/target-accounts';
import { DrsRecoveryInstanceTerminator, DrsRecoveryJobs, DrsRecoverySnapshots } from './adapters/drs.js';
import { DynamoDbJobDirectory } from './adapters/jobs.js';
import { parseLaunchQuotas } from './capacity/quotas.js';
import type { DrsLaunchQuotas } from './capacity/quotas.js';
import { DynamoDbCapacityStore } from './capacity/store.js';
import type { CapacityScope } from './capacity/ledger.js';
import { CoalescingJobReader } from './process-manager/launch-result.js';
import type { PlanResolver } from './api/operations.js';
import { config } from './config.js';
import { DynamoDbEventStore } from './event-store/dynamodb.js';
import { DynamoDbExecutionList } from './read-models/executions.js';
import { ExecutionViewCache } from './read-models/execution-views.js';

function lazy<T>(create: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= create());
}

/**
 * The AWS adapters of the Lambda functions, created once per container on first use (so that
 * configuration is read after the environment is in place). Region, credentials and endpoints
 * come from the environment (AWS_REGION, AWS_ENDPOINT_URL_<SERVICE> locally).
 *
 * DRS: per account and region, through the account's role (asked of the catalog); the account
 * the function runs in with its own credentials (@lifeboat/target-accounts).
 */
export interface Runtime {
  dynamoDb: () => DynamoDBClient;
  store: () => DynamoDbEventStore;
  jobs: () => DynamoDbJobDirectory;
  executions: () => DynamoDbExecutionList;
  /** Execution views kept by this container between invocations (brought up to date on each read). */
  views: () => ExecutionViewCache;
  accounts: () => TargetAccounts;
  drsIn: (scope: CapacityScope) => Promise<DrsRecoveryJobs>;
  snapshotsIn: (scope: CapacityScope) => Promise<DrsRecoverySnapshots>;
  terminatorIn: (scope: CapacityScope) => Promise<DrsRecoveryInstanceTerminator>;
  /** One per DRS client, so the results of one job share a DescribeJobs call. */
  jobReaderIn: (scope: CapacityScope) => Promise<CoalescingJobReader>;
  capacity: () => DynamoDbCapacityStore;
  /** EXECUTION_DRS_QUOTAS (JSON) over DRS's default quotas. */
  quotas: () => DrsLaunchQuotas;
  publisher: () => EventPublisher;
  planning: () => ServiceApiClient;
  resolvePlan: () => PlanResolver;
  clock: () => Date;
}

/** Attempts of each DRS call (throttling, 5xx) with the SDK's backoff: a few more than its default 3. */
export const DRS_MAX_ATTEMPTS = 6;

/** The DRS client kind of TargetAccounts.clientFor. */
const drsClient = (config: AccountClientConfig) => new DrsClient(config);

/** The DrsClient of an account and region; AccountAccessError when the account cannot be reached. */
const drsClientFor = (scope: AccountScope): Promise<DrsClient> => runtime.accounts().clientFor(scope, drsClient);

const recoveryJobs = new WeakMap<DrsClient, DrsRecoveryJobs>();
const snapshots = new WeakMap<DrsClient, DrsRecoverySnapshots>();
const jobReaders = new WeakMap<DrsClient, CoalescingJobReader>();
const terminators = new WeakMap<DrsClient, DrsRecoveryInstanceTerminator>();

/** One adapter per client: a role changed by an Admin gives a new client, hence new adapters. */
function perClient<T>(client: DrsClient, cache: WeakMap<DrsClient, T>, create: (client: DrsClient) => T): T {
  let adapter = cache.get(client);
  if (!adapter) {
    adapter = create(client);
    cache.set(client, adapter);
  }
  return adapter;
}

export const runtime: Runtime = {
  dynamoDb: lazy(() => new DynamoDBClient({})),
  store: lazy(() => new DynamoDbEventStore(config.eventsTable(), runtime.dynamoDb(), undefined, { snapshotsTable: config.snapshotsTable() })),
  jobs: lazy(() => new DynamoDbJobDirectory(config.jobsTable(), runtime.dynamoDb())),
  executions: lazy(() => new DynamoDbExecutionList(config.executionsTable(), runtime.dynamoDb())),
  views: lazy(() => new ExecutionViewCache(runtime.store())),
  // Its clients retry throttling with backoff, a few more times than the SDK's default.
  accounts: lazy(() => new TargetAccounts({ service: 'execution', maxAttempts: DRS_MAX_ATTEMPTS })),
  drsIn: async (scope) => perClient(await drsClientFor(scope), recoveryJobs, (client) => new DrsRecoveryJobs(client)),
  snapshotsIn: async (scope) => perClient(await drsClientFor(scope), snapshots, (client) => new DrsRecoverySnapshots(client)),
  terminatorIn: async (scope) => perClient(await drsClientFor(scope), terminators, (client) => new DrsRecoveryInstanceTerminator(client)),
  jobReaderIn: async (scope) => perClient(await drsClientFor(scope), jobReaders, (client) => new CoalescingJobReader(new DrsRecoveryJobs(client))),
  capacity: lazy(() => new DynamoDbCapacityStore(config.capacityTable(), runtime.dynamoDb())),
  quotas: lazy(() => parseLaunchQuotas(process.env.EXECUTION_DRS_QUOTAS)),
  publisher: lazy(() => new EventPublisher({ eventBusName: config.eventBusName() })),
  planning: lazy(() => new ServiceApiClient(config.planningApiFunction())),
  resolvePlan: (): PlanResolver => (input, caller) => runtime.planning().call<PlanSnapshot>('resolveRecoveryPlan', input, caller),
  clock: (): Date => new Date(),
};
