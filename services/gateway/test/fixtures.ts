/** Fake services, views and events shared by the gateway's tests. */
import type { DomainEvent, EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { createEvent } from '@lifeboat/events';
import type {
  Caller,
  ExecutionView,
  ProtectionGroupView,
  RecoveryPlanView,
  SourceServerView,
  StoredEventView,
} from '@lifeboat/service-api';
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

export function fakeServices(): { catalog: FakeService; planning: FakeService; execution: FakeService } & ServiceClients {
  return { catalog: new FakeService(), planning: new FakeService(), execution: new FakeService() };
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
