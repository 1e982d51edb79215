import type { DomainEvent } from '@lifeboat/events';
import type { Caller } from '@lifeboat/service-api';

/**
 * What feeds one field of the GraphQL Subscription type, whoever holds the client's socket: the
 * local gateway (graphql-ws over ws, events from the in-process broker) or API Gateway (events from
 * the fan-out function, subscriptions kept in DynamoDB). Both run the same feed, so a client sees
 * the same pushes locally and on AWS.
 *
 * A feed is told of the bus events of its subscription's topic, at least once and in any order,
 * and keeps its progress in a small `FeedState` that its holder stores between events (in memory
 * locally, in the subscription's item on AWS).
 */

/** A channel of bus events: `execution:<executionId>`, `executions`, `inventory`, `approvals`. */
export type Topic = string;

/** A subscription's progress between two events (for an execution's stream, the last version pushed). */
export interface FeedState {
  cursor: number;
}

export interface OpenedFeed<TPayload> {
  /** Where the subscription starts. */
  state: FeedState;
  /** Pushed at once, before any event (e.g. the current list of pending approvals). */
  initial: TPayload[];
}

export interface FeedStep<TPayload> {
  /** The progress after this event (unchanged for an event that means nothing new). */
  state: FeedState;
  /** What to push, in order: none for a duplicate, several when a gap was filled. */
  payloads: TPayload[];
}

export interface SubscriptionFeed<TArgs = Record<string, unknown>, TPayload = unknown> {
  /** The Subscription field it feeds. */
  readonly field: string;
  /** Throws UnauthenticatedError / ForbiddenError when the caller may not subscribe. */
  authorize(caller: Caller): void;
  /** The topic a subscription with these arguments listens on. */
  topicOf(args: TArgs): Topic;
  /** Checks the subscription against the services (NOT_FOUND for an unknown execution) and reads where it starts. */
  open(args: TArgs, caller: Caller): Promise<OpenedFeed<TPayload>>;
  /** What one event of its topic means to a subscription at `state`, read as its caller. */
  next(event: DomainEvent, state: FeedState, args: TArgs, caller: Caller): Promise<FeedStep<TPayload>>;
  /** The field's value for a payload (the field's `resolve`). */
  resolve(payload: TPayload): unknown;
}
