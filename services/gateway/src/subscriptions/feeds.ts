/**
 * The feed of each field of the GraphQL Subscription type (graphql/schema.graphql). The local
 * gateway runs them over its in-process broker (local.ts); on AWS the WebSocket fan-out runs the
 * same feeds over the subscriptions it stores, so clients get the same pushes in both places.
 */
import type { Caller, ExecutionView, SourceServerView, StoredEventView } from '@lifeboat/service-api';
import { ForbiddenError, NotFoundError } from '@lifeboat/service-api';
import { authorize } from '../context.js';
import { storedEventOf, toApproval, toExecution, toExecutionEvent, toSourceServer } from '../mapping.js';
import { withFieldNames } from '../resolvers/support.js';
import type { TypedServices } from '../services.js';
import type { FeedState, FeedStep, OpenedFeed, SubscriptionFeed } from './feed.js';
import { approvalListKey, matchesExecutionFilter, matchesInventoryFilter, mayApproveAnything } from './filters.js';
import type { ExecutionFilterArgs, InventoryFilterArgs, PendingApprovalView } from './filters.js';
import { inventoryChangeOf, inventoryServerOf } from './inventory.js';
import type { InventoryChangeView } from './inventory.js';
import { readPendingApprovals } from './pending-approvals.js';
import { streamEventsToPush } from './execution-stream.js';
import { APPROVALS_TOPIC, EXECUTIONS_TOPIC, EXECUTION_LIFECYCLE_EVENTS, INVENTORY_TOPIC, executionIdOf, executionTopic } from './topics.js';

export { topicsOf } from './topics.js';
export type { Topic } from './feed.js';

/** The fields of the Subscription type, each fed by one feed. */
export const SUBSCRIPTION_FIELDS = ['executionUpdated', 'executionEvents', 'executions', 'inventoryChanged', 'approvalsPending'] as const;
export type SubscriptionField = (typeof SUBSCRIPTION_FIELDS)[number];

// ---- Arguments of the Subscription fields, as graphql-js passes them (a nullable argument may be null).
export type ExecutionIdArgs = { id: string };
export type ExecutionsArgs = { filter?: ExecutionFilterArgs | null };
export type InventoryChangedArgs = { filter?: InventoryFilterArgs | null };
export type NoArgs = Record<string, never>;

/** One feed per Subscription field; each is a SubscriptionFeed (its arguments and payload typed). */
export interface SubscriptionFeeds {
  executionUpdated: SubscriptionFeed<ExecutionIdArgs, ExecutionView>;
  executionEvents: SubscriptionFeed<ExecutionIdArgs, StoredEventView>;
  executions: SubscriptionFeed<ExecutionsArgs, ExecutionView>;
  inventoryChanged: SubscriptionFeed<InventoryChangedArgs, InventoryChangeView>;
  approvalsPending: SubscriptionFeed<NoArgs, PendingApprovalView[]>;
}

/** Whether a name is a field of the Subscription type. */
export function isSubscriptionField(name: string): name is SubscriptionField {
  return (SUBSCRIPTION_FIELDS as readonly string[]).includes(name);
}

/** The feed of a field, with its arguments and payload untyped (for a holder that stores them as JSON). */
export function feedOf(feeds: SubscriptionFeeds, field: SubscriptionField): SubscriptionFeed {
  return feeds[field];
}

const unchanged = <T>(state: FeedState): FeedStep<T> => ({ state, payloads: [] });

/** The resolvers of the PendingApproval type take the approval mapped to the Approval type. */
export function toPendingApproval(pending: PendingApprovalView) {
  return { ...pending, approval: toApproval(pending.approval) };
}

export function toInventoryChange(change: InventoryChangeView) {
  return { ...change, sourceServer: change.sourceServer && toSourceServer(change.sourceServer) };
}

/**
 * The feeds, calling the services as each subscription's caller.
 *
 * @example
 * const feeds = createSubscriptionFeeds(typed(services));
 * const opened = await feeds.executionEvents.open({ id }, caller);
 */
export function createSubscriptionFeeds(services: TypedServices): SubscriptionFeeds {
  const { execution, catalog } = services;
  const getExecution = (executionId: string, caller: Caller) => withFieldNames({ executionId: 'id' }, () => execution.call('getExecution', { executionId }, caller));

  /**
   * executionEvents: cursor = the stream version last pushed. It starts at the execution's version
   * when subscribing (the client queries `executionEvents` for the earlier ones).
   */
  const executionEvents: SubscriptionFeed<ExecutionIdArgs, StoredEventView> = {
    field: 'executionEvents',
    authorize: (caller) => void authorize({ caller }, 'read', 'executionEvents'),
    topicOf: ({ id }) => executionTopic(id),
    open: async ({ id }, caller): Promise<OpenedFeed<StoredEventView>> => ({ state: { cursor: (await getExecution(id, caller)).version }, initial: [] }),
    next: async (event, state, { id }, caller) => {
      const stored = storedEventOf(event);
      if (!stored || executionIdOf(event) !== id || stored.streamVersion <= state.cursor) return unchanged(state);
      const eventsAfter = (afterVersion: number) => execution.call('getExecutionEvents', { executionId: id, afterVersion }, caller);
      const payloads = await streamEventsToPush(stored, state.cursor, eventsAfter);
      return { state: { cursor: stored.streamVersion }, payloads };
    },
    resolve: (event) => toExecutionEvent(event),
  };

  /**
   * executionUpdated: cursor = the version of the view last pushed. An event that view already
   * includes pushes nothing; a newer one pushes the current view (one read, however many events
   * it includes: the execution service reads the view from the stream, so it is never older than
   * the event).
   */
  const executionUpdated: SubscriptionFeed<ExecutionIdArgs, ExecutionView> = {
    field: 'executionUpdated',
    authorize: (caller) => void authorize({ caller }, 'read', 'executionUpdated'),
    topicOf: ({ id }) => executionTopic(id),
    open: async ({ id }, caller): Promise<OpenedFeed<ExecutionView>> => ({ state: { cursor: (await getExecution(id, caller)).version }, initial: [] }),
    next: async (event, state, { id }, caller) => {
      const stored = storedEventOf(event);
      if (!stored || executionIdOf(event) !== id || stored.streamVersion <= state.cursor) return unchanged(state);
      const view = await getExecution(id, caller);
      if (view.version <= state.cursor) return unchanged(state);
      return { state: { cursor: view.version }, payloads: [view] };
    },
    resolve: (view) => toExecution(view),
  };

  /**
   * executions: the view of an execution after each of its lifecycle events, when it matches the
   * filter. The cursor is not used (many executions share the topic); a duplicate bus event pushes
   * the same view again, which a client can tell by its version.
   */
  const executions: SubscriptionFeed<ExecutionsArgs, ExecutionView> = {
    field: 'executions',
    authorize: (caller) => void authorize({ caller }, 'read', 'executions'),
    topicOf: () => EXECUTIONS_TOPIC,
    open: async () => ({ state: { cursor: 0 }, initial: [] }),
    next: async (event, state, { filter }, caller) => {
      const executionId = executionIdOf(event);
      if (executionId === undefined || !EXECUTION_LIFECYCLE_EVENTS.has(event.type)) return unchanged(state);
      // Cheap refusals first: ExecutionStarted names the plan and the mode.
      const data = event.data as { planId?: unknown; mode?: unknown };
      if (filter?.planId && typeof data.planId === 'string' && data.planId !== filter.planId) return unchanged(state);
      if (filter?.mode && typeof data.mode === 'string' && data.mode !== filter.mode) return unchanged(state);
      const view = await orUndefined(execution.call('getExecution', { executionId }, caller));
      if (!view || !matchesExecutionFilter(view, filter)) return unchanged(state);
      return { state, payloads: [view] };
    },
    resolve: (view) => toExecution(view),
  };

  /** inventoryChanged: each SourceServer* event of a matching server, built from the event itself when it can be. */
  const inventoryChanged: SubscriptionFeed<InventoryChangedArgs, InventoryChangeView> = {
    field: 'inventoryChanged',
    authorize: (caller) => void authorize({ caller }, 'read', 'inventoryChanged'),
    topicOf: () => INVENTORY_TOPIC,
    open: async () => ({ state: { cursor: 0 }, initial: [] }),
    next: async (event, state, { filter }, caller) => {
      const server = inventoryServerOf(event);
      if (!server || !matchesInventoryFilter(server, filter)) return unchanged(state);
      const fetchServer = (sourceServerId: string): Promise<SourceServerView | undefined> => orUndefined(catalog.call('getSourceServer', { sourceServerId }, caller));
      const change = await inventoryChangeOf(event, fetchServer);
      return change ? { state, payloads: [change] } : unchanged(state);
    },
    resolve: (change) => toInventoryChange(change),
  };

  /**
   * approvalsPending: the whole list the caller may decide, at once and then each time it changes.
   * cursor = approvalListKey of the list last pushed.
   */
  const approvalsPending: SubscriptionFeed<NoArgs, PendingApprovalView[]> = {
    field: 'approvalsPending',
    authorize: (caller) => {
      authorize({ caller }, 'read', 'approvalsPending');
      if (!mayApproveAnything(caller)) throw new ForbiddenError('approvalsPending needs the drill:approve or recovery:approve permission');
    },
    topicOf: () => APPROVALS_TOPIC,
    open: async (_args, caller) => {
      const list = await readPendingApprovals(execution, caller);
      return { state: { cursor: approvalListKey(list) }, initial: [list] };
    },
    next: async (event, state, _args, caller) => {
      const list = await readPendingApprovals(execution, caller, executionIdOf(event));
      const key = approvalListKey(list);
      return key === state.cursor ? unchanged(state) : { state: { cursor: key }, payloads: [list] };
    },
    resolve: (list) => list.map(toPendingApproval),
  };

  return { executionUpdated, executionEvents, executions, inventoryChanged, approvalsPending };
}

/** Undefined for a NOT_FOUND answer (an execution or server gone since its event). */
async function orUndefined<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
