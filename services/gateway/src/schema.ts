import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { Caller, StoredEventView, ExecutionView } from '@lifeboat/service-api';
import typeDefs from './schema-sdl.js';
import { authorize } from './context.js';
import type { GatewayContext } from './context.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';
import { toExecution, toExecutionEvent } from './mapping.js';
import { catalogMutations, catalogQueries } from './resolvers/catalog.js';
import { executionMutations } from './resolvers/execution.js';
import { notificationMutations, notificationQueries } from './resolvers/notification.js';
import { planningMutations, planningQueries } from './resolvers/planning.js';
import type { Resolver } from './resolvers/support.js';
import { orNull } from './resolvers/support.js';
import { typed } from './services.js';
import type { ServiceClients, TypedServices } from './services.js';
import { executionEventBroker } from './subscriptions/broker.js';
import type { ExecutionEventBroker } from './subscriptions/broker.js';
import { closingWith, inStreamOrder, viewAfterEachEvent } from './subscriptions/execution-stream.js';

export { default as typeDefs } from './schema-sdl.js';
export { MAX_PAGE_SIZE } from './resolvers/catalog.js';

export interface GatewaySchemaOptions {
  /** Where subscriptions take execution events from (default: the process-wide broker). */
  broker?: ExecutionEventBroker;
}

// ---- GraphQL argument shapes (graphql/schema.graphql)
interface IdArgs {
  id: string;
}

function queryResolvers(services: TypedServices) {
  const { execution } = services;
  const me: Resolver<Record<string, never>, { id: string; username: string; roles: string[] }> = (_p, _a, context) => {
    const caller = authorize(context, 'read', 'me');
    return { id: caller.userId, username: caller.username, roles: caller.roles };
  };
  const executions: Resolver<Record<string, never>> = async (_p, _a, context) => {
    const caller = authorize(context, 'read', 'executions');
    return (await execution.call('listExecutions', {}, caller)).map(toExecution);
  };
  const executionById: Resolver<IdArgs> = async (_p, { id }, context) => {
    const caller = authorize(context, 'read', 'execution');
    const view = await orNull(execution.call('getExecution', { executionId: id }, caller));
    return view && toExecution(view);
  };
  const executionEvents: Resolver<IdArgs> = async (_p, { id }, context) => {
    const caller = authorize(context, 'read', 'executionEvents');
    const events = await execution.call('getExecutionEvents', { executionId: id }, caller);
    return [...events].sort((a, b) => a.streamVersion - b.streamVersion).map(toExecutionEvent);
  };
  return { me, ...catalogQueries(services), ...planningQueries(services), ...notificationQueries(services), executions, execution: executionById, executionEvents };
}

function mutationResolvers(services: TypedServices) {
  return { ...catalogMutations(services), ...planningMutations(services), ...executionMutations(services), ...notificationMutations(services) };
}

function subscriptionResolvers(services: TypedServices, broker: ExecutionEventBroker) {
  const { execution } = services;

  /**
   * The execution's events after its current version, in stream order. The broker subscription
   * is opened before the current version is read, so that no event falls between the two.
   */
  async function streamOf(id: string, caller: Caller): Promise<{ events: AsyncGenerator<StoredEventView, void, undefined>; version: number; close: () => void }> {
    const subscription = broker.subscribe(id);
    try {
      const current = await execution.call('getExecution', { executionId: id }, caller);
      const eventsAfter = (afterVersion: number) => execution.call('getExecutionEvents', { executionId: id, afterVersion }, caller);
      return { events: inStreamOrder(subscription, current.version, eventsAfter), version: current.version, close: () => subscription.close() };
    } catch (error) {
      subscription.close();
      throw error;
    }
  }

  return {
    executionEvents: {
      subscribe: async (_p: unknown, { id }: IdArgs, context: GatewayContext) => {
        const caller = authorize(context, 'read', 'executionEvents');
        const { events, close } = await streamOf(id, caller);
        return closingWith(events, close);
      },
      resolve: (event: StoredEventView) => toExecutionEvent(event),
    },
    executionUpdated: {
      subscribe: async (_p: unknown, { id }: IdArgs, context: GatewayContext) => {
        const caller = authorize(context, 'read', 'executionUpdated');
        const { events, version, close } = await streamOf(id, caller);
        return closingWith(viewAfterEachEvent(events, version, () => execution.call('getExecution', { executionId: id }, caller)), close);
      },
      resolve: (view: ExecutionView) => toExecution(view),
    },
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
      Query: queryResolvers(clients),
      Mutation: mutationResolvers(clients),
      Subscription: subscriptionResolvers(clients, options.broker ?? executionEventBroker),
    },
  });
}
