import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { MAX_TAIL_EVENTS, UnauthenticatedError, ValidationError } from '@lifeboat/service-api';
import type { ExecutionMode, ExecutionStatus, FieldProblem } from '@lifeboat/service-api';
import typeDefs from './schema-sdl.js';
import { authorize } from './context.js';
import type { GatewayContext } from './context.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';
import { toConnection, toExecution, toExecutionEvent } from './mapping.js';
import { given } from './inputs.js';
import type { Maybe } from './inputs.js';
import { PAGING_FIELDS, pagingInput } from './paging.js';
import { catalogMutations, catalogQueries } from './resolvers/catalog.js';
import { executionMutations } from './resolvers/execution.js';
import { notificationMutations, notificationQueries } from './resolvers/notification.js';
import { planningMutations, planningQueries } from './resolvers/planning.js';
import { userMutations, userQueries } from './resolvers/users.js';
import type { Resolver } from './resolvers/support.js';
import { orNull, withFieldNames } from './resolvers/support.js';
import { typed } from './services.js';
import type { ServiceClients, TypedServices } from './services.js';
import { executionEventBroker } from './subscriptions/broker.js';
import type { ExecutionEventBroker } from './subscriptions/broker.js';
import { createSubscriptionFeeds, toPendingApproval } from './subscriptions/feeds.js';
import type { SubscriptionFeeds } from './subscriptions/feeds.js';
import type { SubscriptionFeed } from './subscriptions/feed.js';
import { runFeedLocally } from './subscriptions/local.js';
import { readPendingApprovals } from './subscriptions/pending-approvals.js';

export { default as typeDefs } from './schema-sdl.js';
export { MAX_PAGE_SIZE } from './resolvers/catalog.js';

export interface GatewaySchemaOptions {
  /** Where subscriptions take bus events from, by topic (default: the process-wide broker). */
  broker?: ExecutionEventBroker;
}

// ---- GraphQL argument shapes (graphql/schema.graphql)
interface IdArgs {
  id: string;
}
interface ExecutionEventsArgs extends IdArgs {
  last?: Maybe<number>;
  beforeVersion?: Maybe<number>;
}
/** Page size of `executions`. */
const EXECUTION_PAGES = { default: 20, max: 100 };
interface ExecutionsArgs {
  first?: Maybe<number>;
  after?: Maybe<string>;
  filter?: Maybe<{ planId?: Maybe<string>; mode?: Maybe<ExecutionMode>; statuses?: Maybe<ExecutionStatus[]>; startedAfter?: Maybe<string>; startedBefore?: Maybe<string> }>;
}

function queryResolvers(services: TypedServices) {
  const { execution } = services;
  const me: Resolver<Record<string, never>, { id: string; username: string; roles: string[] }> = (_p, _a, context) => {
    const caller = authorize(context, 'read', 'me');
    return { id: caller.userId, username: caller.username, roles: caller.roles };
  };
  const executions: Resolver<ExecutionsArgs> = async (_p, { first, after, filter }, context) => {
    const caller = authorize(context, 'read', 'executions');
    const input = { ...pagingInput(first, after, EXECUTION_PAGES), ...(filter ? { filter: given(filter) } : {}) };
    return toConnection(await withFieldNames(PAGING_FIELDS, () => execution.call('listExecutions', input, caller)), toExecution);
  };
  const executionById: Resolver<IdArgs> = async (_p, { id }, context) => {
    const caller = authorize(context, 'read', 'execution');
    const view = await orNull(execution.call('getExecution', { executionId: id }, caller));
    return view && toExecution(view);
  };
  // The same list approvalsPending pushes; empty (without a call) for a role that approves nothing.
  const pendingApprovals: Resolver<Record<string, never>> = async (_p, _a, context) => {
    const caller = authorize(context, 'read', 'pendingApprovals');
    return (await readPendingApprovals(execution, caller)).map(toPendingApproval);
  };
  // Without `last`, the whole stream (as before it existed: the CLI and other clients read it so).
  const executionEvents: Resolver<ExecutionEventsArgs> = async (_p, { id, last, beforeVersion }, context) => {
    const caller = authorize(context, 'read', 'executionEvents');
    const problems: FieldProblem[] = [];
    if (last !== undefined && last !== null && (last < 1 || last > MAX_TAIL_EVENTS)) problems.push({ field: 'last', message: `must be between 1 and ${MAX_TAIL_EVENTS}` });
    if (beforeVersion !== undefined && beforeVersion !== null && beforeVersion < 1) problems.push({ field: 'beforeVersion', message: 'must be 1 or more' });
    if (problems.length > 0) throw new ValidationError(problems);
    const input = { executionId: id, ...(last !== undefined && last !== null ? { last } : {}), ...(beforeVersion !== undefined && beforeVersion !== null ? { beforeVersion } : {}) };
    const events = await execution.call('getExecutionEvents', input, caller);
    return [...events].sort((a, b) => a.streamVersion - b.streamVersion).map(toExecutionEvent);
  };
  return { me, ...catalogQueries(services), ...planningQueries(services), ...notificationQueries(services), executions, execution: executionById, executionEvents, pendingApprovals };
}

function mutationResolvers(services: TypedServices) {
  return { ...catalogMutations(services), ...planningMutations(services), ...executionMutations(services), ...notificationMutations(services) };
}

/**
 * Each Subscription field runs its feed (subscriptions/feeds.ts) over the broker: the caller is
 * checked, the broker subscription opened before the feed reads where it starts, and `resolve`
 * maps each payload. The same feeds serve the API Gateway WebSocket fan-out on AWS.
 */
function subscriptionResolvers(feeds: SubscriptionFeeds, broker: ExecutionEventBroker) {
  function fieldOf<TArgs, TPayload>(feed: SubscriptionFeed<TArgs, TPayload>) {
    return {
      subscribe: (_p: unknown, args: TArgs, context: GatewayContext) => {
        if (!context?.caller) throw new UnauthenticatedError('Authentication required');
        return runFeedLocally(feed, broker, args, context.caller);
      },
      resolve: (payload: TPayload) => feed.resolve(payload),
    };
  }
  return {
    executionEvents: fieldOf(feeds.executionEvents),
    executionUpdated: fieldOf(feeds.executionUpdated),
    executions: fieldOf(feeds.executions),
    inventoryChanged: fieldOf(feeds.inventoryChanged),
    approvalsPending: fieldOf(feeds.approvalsPending),
  };
}

/**
 * The executable schema of graphql/schema.graphql: every field resolved by calling the services
 * on behalf of the context's caller, after checking the caller's permission.
 *
 * @example
 * const schema = createGatewaySchema(serviceClientsForStage('dev'));
 */
export function createGatewaySchema(services: ServiceClients, options: GatewaySchemaOptions = {}): GraphQLSchema {
  const clients = typed(services);
  return makeExecutableSchema<GatewayContext>({
    typeDefs,
    resolvers: {
      JSON: JSONScalar,
      DateTime: DateTimeScalar,
      Query: { ...queryResolvers(clients), ...userQueries(services.users) },
      Mutation: { ...mutationResolvers(clients), ...userMutations(services.users) },
      Subscription: subscriptionResolvers(createSubscriptionFeeds(clients), options.broker ?? executionEventBroker),
    },
  });
}
