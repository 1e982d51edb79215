/**
 * What the unit tests of the WebSocket routes and fan-out share: the in-memory store, the API
 * Gateway Management API mocked with aws-sdk-client-mock (what was posted, what was closed and the
 * graphql-ws close code logged for it), fake feeds and the real schema over fake services.
 */
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { GraphQLSchema } from 'graphql';
import type { Message } from 'graphql-ws';
import type { DomainEvent } from '@lifeboat/events';
import type { Caller, StoredEventView } from '@lifeboat/service-api';
import { ForbiddenError, NotFoundError } from '@lifeboat/service-api';
import { stubClient } from '@lifeboat/testing';
import type { ClientStub } from '@lifeboat/testing';
import { createGatewaySchema } from '../../src/schema.js';
import type { FeedState, SubscriptionFeed } from '../../src/subscriptions/feed.js';
import { ApiGatewayConnections } from '../../src/websocket/connections.js';
import type { FeedsByField } from '../../src/websocket/options.js';
import { InMemoryWebSocketStore } from '../../src/websocket/store.js';
import type { StoredSubscription } from '../../src/websocket/store.js';
import { fakeServices, storedEvent } from '../fixtures.js';
import { API_ID, STAGE } from './api-gateway-events.js';

export type ExecutionIdArgs = { id: string };

/** An execution whose open() is NOT_FOUND, and one whose open() fails inside (INTERNAL). */
export const MISSING_EXECUTION = 'exec-missing';
export const BROKEN_EXECUTION = 'exec-broken';
export const INTERNAL_DETAIL = 'connect ECONNREFUSED db-internal.example:5432';

export interface FakeStreamFeed extends SubscriptionFeed<ExecutionIdArgs, StoredEventView> {
  /** Calls of next(), with the state each was given. */
  readonly nextCalls: { eventVersion: number; state: FeedState; caller: Caller }[];
  /** Make next() throw this (once per call) from now on; undefined to stop. */
  failNextWith: Error | undefined;
}

/**
 * A fake feed for `executionEvents`: a subscription starts at `startAt` (pushing `initial` first);
 * each event of its execution pushes every version after the cursor up to the event's (a gap is
 * "read from the stream"), a duplicate or older one nothing. A caller without roles is FORBIDDEN.
 */
export function fakeStreamFeed(options: { startAt?: number; initial?: number[] } = {}): FakeStreamFeed {
  const feed: FakeStreamFeed = {
    field: 'executionEvents',
    nextCalls: [],
    failNextWith: undefined,
    authorize(caller) {
      if (caller.roles.length === 0) throw new ForbiddenError('executionEvents needs the read permission');
    },
    topicOf: ({ id }) => `execution:${id}`,
    async open({ id }) {
      if (id === MISSING_EXECUTION) throw new NotFoundError(`Execution ${id} not found`, 'id');
      if (id === BROKEN_EXECUTION) throw new Error(INTERNAL_DETAIL);
      return { state: { cursor: options.startAt ?? 1 }, initial: (options.initial ?? []).map((v) => storedEvent(id, v)) };
    },
    async next(event: DomainEvent, state, { id }, caller) {
      const version = Number(event.metadata.streamVersion);
      feed.nextCalls.push({ eventVersion: version, state, caller });
      if (feed.failNextWith) throw feed.failNextWith;
      const executionId = (event.data as { executionId?: string }).executionId;
      if (executionId !== id || version <= state.cursor) return { state, payloads: [] };
      const payloads = Array.from({ length: version - state.cursor }, (_, i) => storedEvent(id, state.cursor + 1 + i));
      return { state: { cursor: version }, payloads };
    },
    resolve: (payload) => payload,
  };
  return feed;
}

export interface SentMessage {
  connectionId: string;
  message: Message;
}

export interface Closed {
  connectionId: string;
  /** The graphql-ws close code the gateway meant (logged: API Gateway closes with 1000). */
  code: number;
  reason: string;
}

export interface WebSocketHarness {
  store: InMemoryWebSocketStore;
  connections: ApiGatewayConnections;
  management: ClientStub;
  schema: GraphQLSchema;
  feed: FakeStreamFeed;
  feeds: FeedsByField;
  services: ReturnType<typeof fakeServices>;
  /** Internal errors logged (never sent). */
  logged: { message: string; error: unknown }[];
  /** Every PostToConnection, oldest first, parsed. */
  sent(connectionId?: string): Message[];
  /** Every DeleteConnection, with the close code logged for it. */
  closed(): Closed[];
  /** PostToConnection to these connections answers 410 Gone from now on. */
  gone(...connectionIds: string[]): void;
  restore(): void;
}

export const MANAGEMENT_ENDPOINT = `https://${API_ID}.execute-api.us-east-1.amazonaws.com/${STAGE}`;

export function webSocketHarness(feedOptions: { startAt?: number; initial?: number[] } = {}): WebSocketHarness {
  const management = stubClient(ApiGatewayManagementApiClient);
  const goneIds = new Set<string>();
  const goneError = () => new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });
  management.on(PostToConnectionCommand).callsFake((input) => {
    if (goneIds.has(input.ConnectionId ?? '')) throw goneError();
    return {};
  });
  management.on(DeleteConnectionCommand).callsFake((input) => {
    if (goneIds.has(input.ConnectionId ?? '')) throw goneError();
    return {};
  });
  const notices: string[] = [];
  const client = new ApiGatewayManagementApiClient({ endpoint: MANAGEMENT_ENDPOINT, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const connections = new ApiGatewayConnections(client, (line) => notices.push(line));
  const services = fakeServices();
  const feed = fakeStreamFeed(feedOptions);
  const logged: { message: string; error: unknown }[] = [];
  return {
    store: new InMemoryWebSocketStore(),
    connections,
    management,
    schema: createGatewaySchema(services),
    feed,
    feeds: { executionEvents: feed as unknown as SubscriptionFeed },
    services,
    logged,
    sent(connectionId) {
      return management
        .commandCalls(PostToConnectionCommand)
        .map((call) => call.args[0].input)
        .filter((input) => connectionId === undefined || input.ConnectionId === connectionId)
        .map((input) => JSON.parse(typeof input.Data === 'string' ? input.Data : Buffer.from(input.Data as Uint8Array).toString('utf8')) as Message);
    },
    closed() {
      const deleted = management.commandCalls(DeleteConnectionCommand).map((call) => call.args[0].input.ConnectionId);
      const meant = notices.map((line) => JSON.parse(line) as Closed);
      return deleted.map((connectionId) => {
        const notice = meant.find((n) => n.connectionId === connectionId);
        return { connectionId: connectionId ?? '', code: notice?.code ?? 0, reason: notice?.reason ?? '' };
      });
    },
    gone(...connectionIds) {
      for (const id of connectionIds) goneIds.add(id);
    },
    restore() {
      management.restore();
    },
  };
}

/** A stored subscription to `executionEvents(id: executionId)`, for fan-out tests. */
export function storedSubscription(overrides: Partial<StoredSubscription> & { connectionId: string; subscriptionId: string }, executionId = 'exec-1'): StoredSubscription {
  return {
    field: 'executionEvents',
    topic: `execution:${executionId}`,
    query: 'subscription Events($id: ID!) { executionEvents(id: $id) { streamVersion type } }',
    operationName: 'Events',
    variables: { id: executionId },
    args: { id: executionId },
    caller: { userId: 'sub-viewer', username: 'vera', roles: ['Viewer'] },
    tokenExpiresAt: Math.floor(Date.now() / 1000) + 3600,
    state: { cursor: 1 },
    subscribedAt: '2025-01-01T12:00:00.000Z',
    expiresAt: Math.floor(Date.now() / 1000) + 3 * 3600,
    ...overrides,
  };
}
