/** Fake services, views and events shared by the gateway's tests. */
import type { DomainEvent, EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { createEvent } from '@lifeboat/events';
import type { ApolloServer } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type {
  Caller,
  ExecutionView,
  ProtectionGroupView,
  RecoveryPlanView,
  SavedRecoveryPlan,
  SourceServerView,
  StoredEventView,
  TargetAccountView,
} from '@lifeboat/service-api';
import type { GatewayContext } from '../src/context.js';
import { createGatewaySchema } from '../src/schema.js';
import { createGatewayServer } from '../src/server.js';
import type { ServiceClient, ServiceClients } from '../src/services.js';

export interface RecordedCall {
  operation: string;
  input: unknown;
  caller: Caller;
}

type Handler = (input: never, caller: Caller) => unknown;

/** A service client answering from handlers per operation, recording every call. */
export class FakeService implements ServiceClient {
  readonly calls: RecordedCall[] = [];
  constructor(private readonly handlers: Record<string, Handler> = {}) {}

  on(operation: string, handle: Handler): this {
    this.handlers[operation] = handle;
    return this;
  }

  async call<TResult>(operation: string, input: unknown, caller: Caller): Promise<TResult> {
    this.calls.push({ operation, input, caller });
    const handle = this.handlers[operation];
    if (!handle) throw new Error(`FakeService: unexpected ${operation}`);
    return (await handle(input as never, caller)) as TResult;
  }
}

export function fakeServices(): { catalog: FakeService; planning: FakeService; execution: FakeService; notification: FakeService } & ServiceClients {
  return { catalog: new FakeService(), planning: new FakeService(), execution: new FakeService(), notification: new FakeService() };
}

export const callerWith = (...roles: string[]): Caller => ({ userId: `sub-${roles.join('-') || 'none'}`, username: `user-${roles.join('-') || 'none'}`, roles });

export const sourceServerView: SourceServerView = {
  sourceServerId: 's-1234567890abcdef0',
  accountId: '123456789012',
  region: 'us-east-1',
  arn: 'arn:aws:drs:us-east-1:123456789012:source-server/s-1234567890abcdef0',
  hostname: 'db-01',
  os: 'LINUX',
  tags: { tier: 'db', app: 'shop' },
  replicationState: 'CONTINUOUS',
  readyForRecovery: true,
  lastSeenAt: '2025-01-01T12:00:00.000Z',
};

/** A server as the catalog answers it now: every field of the read model set. */
export const fullSourceServerView: SourceServerView = {
  ...sourceServerView,
  sourceServerId: 's-0000000000000000a',
  arn: 'arn:aws:drs:us-east-1:123456789012:source-server/s-0000000000000000a',
  hostname: 'erp-01',
  fqdn: 'erp-01.corp.example.com',
  os: 'WINDOWS',
  osName: 'Microsoft Windows Server 2019 Datacenter',
  tags: { App: 'ERP' },
  stagingAccountId: '210987654321',
  replicationState: 'STALLED',
  readyForRecovery: false,
  notReadyReason: 'replication stalled (AGENT_NOT_SEEN)',
  replication: {
    state: 'STALLED',
    lagDuration: 'PT2H5M',
    lagSeconds: 7500,
    etaDateTime: '2025-01-01T14:00:00+00:00',
    totalStorageBytes: 107374182400,
    replicatedStorageBytes: 53687091200,
    rescannedStorageBytes: 0,
    backloggedStorageBytes: 1024,
    error: 'AGENT_NOT_SEEN',
  },
  lastLaunch: { type: 'DRILL', initiatedAt: '2024-12-31T10:00:00+00:00', jobId: 'drsjob-0000000000000000a', status: 'LAUNCHED', result: 'SUCCEEDED' },
  recoveryInstanceId: 'i-0000000000000000a',
  protectionGroupId: 'pg-erp',
  protectionGroupName: 'ERP',
};

export const targetAccountView: TargetAccountView = {
  accountId: '111122223333',
  regions: ['us-east-1', 'eu-west-1'],
  roleArn: 'arn:aws:iam::111122223333:role/LifeboatCatalog',
  hasExternalId: true,
  isDefault: false,
  createdAt: '2025-01-01T12:00:00.000Z',
  createdBy: 'admin',
  updatedAt: '2025-01-02T12:00:00.000Z',
  updatedBy: 'admin',
  sync: [
    { region: 'us-east-1', status: 'SUCCEEDED', lastAttemptAt: '2025-01-02T12:05:00.000Z', lastSuccessAt: '2025-01-02T12:05:00.000Z', serverCount: 40, discovered: 2, changed: 1, removed: 0, durationMs: 850 },
    { region: 'eu-west-1', status: 'FAILED', lastAttemptAt: '2025-01-02T12:05:00.000Z', error: { code: 'AccessDenied', message: 'not authorized to perform drs:DescribeSourceServers' }, durationMs: 120 },
  ],
};

export const protectionGroupView: ProtectionGroupView = {
  protectionGroupId: 'pg-1',
  name: 'Databases',
  accountId: '123456789012',
  region: 'us-east-1',
  sourceServerIds: ['s-1234567890abcdef0'],
  createdAt: '2025-01-01T12:00:00.000Z',
  createdBy: 'alice',
};

export const recoveryPlanView: RecoveryPlanView = {
  planId: 'plan-1',
  name: 'Shop',
  version: 2,
  waves: [
    { waveId: 'w-db', name: 'Databases', dependsOn: [], launchOrder: 'SEQUENTIAL', protectionGroupIds: ['pg-1'] },
    { waveId: 'w-app', name: 'App', dependsOn: ['w-db'], launchOrder: 'PARALLEL', protectionGroupIds: ['pg-2'] },
  ],
  createdAt: '2025-01-01T12:00:00.000Z',
  createdBy: 'alice',
};

/** A group with every field planning answers now. */
export const fullProtectionGroupView: ProtectionGroupView = {
  protectionGroupId: 'pg-erp',
  name: 'ERP',
  accountId: '123456789012',
  region: 'us-east-1',
  sourceServerIds: ['s-0000000000000000a', 's-0000000000000000b'],
  explicitSourceServerIds: ['s-0000000000000000a'],
  tagSelectors: [{ tags: { Tier: 'App', App: 'ERP' } }],
  launchDefaults: { subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0'], copyTags: true, launchDisposition: 'STARTED', rightSizing: 'BASIC' },
  serverLaunchOverrides: [{ sourceServerId: 's-0000000000000000b', instanceType: 'm5.large', rightSizing: 'NONE' }],
  postLaunchActions: [
    {
      actionId: '4b1e3b56-9a8f-4d0c-8f57-2a5b2b9b7c11',
      documentName: 'AWS-RunShellScript',
      documentVersion: '$DEFAULT',
      parameters: [{ name: 'commands', value: 'systemctl', type: 'DYNAMIC' }],
      optional: true,
      category: 'VALIDATION',
      description: 'smoke test',
      order: 100,
    },
  ],
  verification: {
    instanceTimeoutSeconds: 1200,
    healthChecks: [{ documentName: 'Lifeboat-CheckErp', parameters: { port: ['8080'] } }],
    probes: [{ type: 'TCP', port: 22 }, { type: 'HTTP', name: 'status', port: 8443, path: '/health', https: true, expectStatus: 204, timeoutSeconds: 30 }],
  },
  serverVerificationOverrides: [{ sourceServerId: 's-0000000000000000b', requireSsmAgent: false, healthChecks: [] }],
  conflicts: [{ sourceServerId: 's-0000000000000000c', protectionGroupId: 'pg-other', protectionGroupName: 'Other' }],
  revision: 3,
  createdAt: '2025-01-01T12:00:00.000Z',
  createdBy: 'alice',
  updatedAt: '2025-01-03T12:00:00.000Z',
  updatedBy: 'bob',
};

/** A plan version with every field planning answers now: server settings, each kind of step, settings. */
export const fullRecoveryPlanView: RecoveryPlanView = {
  planId: 'plan-erp',
  name: 'ERP',
  description: 'ERP failover',
  version: 3,
  waves: [
    {
      waveId: 'wave-db',
      name: 'Database',
      dependsOn: [],
      launchOrder: 'SEQUENTIAL',
      protectionGroupIds: ['pg-erp'],
      sourceServerIds: ['s-0000000000000000d'],
      servers: [{ sourceServerId: 's-0000000000000000a', criticality: 'OPTIONAL', bootOrder: 1, delaySeconds: 30 }, { sourceServerId: 's-0000000000000000b', bootOrder: 2 }],
      preSteps: [
        { stepId: 'wave-db-pre-1', type: 'WAIT', name: 'Wait 5 min', durationSeconds: 300 },
        { stepId: 'wave-db-pre-2', type: 'APPROVAL', name: 'Go?', prompt: 'Proceed?', approverRole: 'RecoveryManager', timeoutSeconds: 3600, onTimeout: 'FAIL' },
      ],
      postSteps: [
        { stepId: 'wave-db-post-1', type: 'SSM_DOCUMENT', name: 'Check', documentName: 'AWS-RunShellScript', documentVersion: '$LATEST', parameters: { commands: ['uptime'] }, targetServerIds: [], timeoutSeconds: 600, onFailure: 'CONTINUE' },
        { stepId: 'wave-db-post-2', type: 'LAMBDA', name: 'dns', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dns', payload: { zone: 'corp' }, timeoutSeconds: 60, onFailure: 'FAIL' },
      ],
      errorPolicy: 'CONTINUE',
    },
  ],
  settings: {
    rtoTargetMinutes: 60,
    drill: { networkIsolation: 'CUSTOM_SUBNET', subnetId: 'subnet-0123456789abcdef0', autoCleanupAfterHours: 24 },
    notificationTargets: [{ type: 'EMAIL', address: 'dr@example.com' }],
    requireSecondApprover: true,
  },
  changeSummary: ['wave Database: launch order PARALLEL -> SEQUENTIAL'],
  createdAt: '2025-01-03T12:00:00.000Z',
  createdBy: 'alice',
};

/** What createRecoveryPlan / updateRecoveryPlan answer. */
export function savedRecoveryPlanView(view: RecoveryPlanView = recoveryPlanView): SavedRecoveryPlan {
  return { ...view, findings: [{ severity: 'WARNING', code: 'SERVER_NOT_READY', field: 'waves[0]', message: '1 server not ready for recovery' }] };
}

export function executionView(overrides: Partial<ExecutionView> = {}): ExecutionView {
  return {
    executionId: 'exec-1',
    planId: 'plan-1',
    planVersion: 2,
    planName: 'Shop',
    mode: 'DRILL',
    status: 'RUNNING',
    startedAt: '2025-01-01T12:00:00.000Z',
    startedBy: 'bob',
    version: 1,
    waves: [
      {
        waveId: 'w-db',
        name: 'Databases',
        dependsOn: [],
        launchOrder: 'SEQUENTIAL',
        status: 'RUNNING',
        startedAt: '2025-01-01T12:00:01.000Z',
        servers: [
          {
            sourceServerId: 's-1234567890abcdef0',
            hostname: 'db-01',
            accountId: '123456789012',
            region: 'us-east-1',
            criticality: 'CRITICAL',
            status: 'LAUNCHED',
            jobId: 'drsjob-1234567890abcdef0',
            checks: [{ name: 'ec2-status', status: 'PASSED', durationMs: 1200 }],
            launchedAt: '2025-01-01T12:05:00.000Z',
          },
        ],
      },
    ],
    ...overrides,
  };
}

const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A deterministic, valid ULID for stream version `n`. */
function ulidFor(n: number): string {
  let suffix = '';
  for (let rest = n; suffix.length < 6; rest = Math.floor(rest / 32)) suffix = ULID_ALPHABET[rest % 32] + suffix;
  return `01J9Z3K2Q5X7M8N9P0R1${suffix}`;
}

/** Event `version` of the stream of `executionId`, as the execution service appends it. */
export function streamEvent(executionId: string, version: number): DomainEvent {
  const event = createEvent(
    'WaveStarted',
    { executionId, waveId: `w-${version}`, name: `Wave ${version}` },
    {
      correlationId: executionId,
      causationId: null,
      actor: { type: 'service', id: 'lifeboat-execution' },
      occurredAt: `2025-01-01T12:00:${String(version).padStart(2, '0')}.000Z`,
      eventId: ulidFor(version),
    },
  );
  return {
    ...event,
    metadata: { ...event.metadata, streamId: `execution/${executionId}`, streamVersion: version, previousHash: version === 1 ? null : `hash-${version - 1}`, hash: `hash-${version}` },
  };
}

/** The stored form of streamEvent (getExecutionEvents). */
export function storedEvent(executionId: string, version: number): StoredEventView {
  const event = streamEvent(executionId, version);
  return {
    streamVersion: version,
    eventId: event.metadata.eventId,
    type: event.type,
    occurredAt: event.metadata.occurredAt,
    actor: event.metadata.actor.id,
    data: event.data,
    previousHash: event.metadata.previousHash ?? null,
    hash: `hash-${version}`,
  };
}

/** What the Lifeboat bus hands the fan-out handler for a domain event. */
export function onTheBus(event: DomainEvent, source = 'lifeboat.execution'): EventBridgeEnvelope<EventDetail> {
  return {
    version: '0',
    id: `bus-${event.metadata.eventId}`,
    'detail-type': event.type,
    source,
    account: '123456789012',
    time: event.metadata.occurredAt,
    region: 'us-east-1',
    resources: [],
    detail: { metadata: event.metadata, data: event.data },
  };
}

/** Waits until `check` holds (polling), failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves with the promise's value, or fails with `what` after `timeoutMs`. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface OperationResult {
  data?: Record<string, unknown> | null;
  errors?: readonly GraphQLFormattedError[];
}

/** The gateway's schema on Apollo Server over fake services; `run` executes one operation as a caller. */
export function gatewayHarness(): {
  services: ReturnType<typeof fakeServices>;
  logged: unknown[];
  server: ApolloServer<GatewayContext>;
  run: (query: string, caller: Caller | undefined, variables?: Record<string, unknown>) => Promise<OperationResult>;
} {
  const services = fakeServices();
  const logged: unknown[] = [];
  const server = createGatewayServer(createGatewaySchema(services), { log: (_message, error) => logged.push(error) });
  const run = async (query: string, caller: Caller | undefined, variables?: Record<string, unknown>): Promise<OperationResult> => {
    const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) }, { contextValue: { caller } as GatewayContext });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return response.body.singleResult as OperationResult;
  };
  return { services, logged, server, run };
}
