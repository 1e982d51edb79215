import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import type { Caller, ExecutionMode, LaunchOrder, StoredEventView, ExecutionView, WaveInput } from '@lifeboat/service-api';
import { LifeboatError, NotFoundError, ValidationError } from '@lifeboat/service-api';
import typeDefs from './schema-sdl.js';
import { authorize } from './context.js';
import type { GatewayContext } from './context.js';
import { DateTimeScalar, JSONScalar } from './scalars.js';
import { toExecution, toExecutionEvent, toProtectionGroup, toRecoveryPlan, toSourceServer } from './mapping.js';
import { typed } from './services.js';
import type { ServiceClients, TypedServices } from './services.js';
import { executionEventBroker } from './subscriptions/broker.js';
import type { ExecutionEventBroker } from './subscriptions/broker.js';
import { closingWith, inStreamOrder, viewAfterEachEvent } from './subscriptions/execution-stream.js';

export { default as typeDefs } from './schema-sdl.js';

export interface GatewaySchemaOptions {
  /** Where subscriptions take execution events from (default: the process-wide broker). */
  broker?: ExecutionEventBroker;
}

/** Largest page of `sourceServers`. */
export const MAX_PAGE_SIZE = 1000;

// ---- GraphQL argument shapes (graphql/schema.graphql)
interface IdArgs {
  id: string;
}
interface SourceServersArgs {
  first?: number | null;
  after?: string | null;
}
interface RecoveryPlanArgs {
  id: string;
  version?: number | null;
}
interface CreateProtectionGroupArgs {
  input: { name: string; accountId: string; region: string; sourceServerIds: string[] };
}
interface CreateRecoveryPlanArgs {
  input: {
    name: string;
    waves: { name: string; dependsOn?: string[] | null; launchOrder?: LaunchOrder | null; protectionGroupIds: string[] }[];
  };
}
interface StartExecutionArgs {
  input: { planId: string; planVersion?: number | null; mode: ExecutionMode; confirmation?: string | null };
}

type Resolver<TArgs, TResult> = (parent: unknown, args: TArgs, context: GatewayContext) => Promise<TResult> | TResult;

/** `null` for a NOT_FOUND answer, for the nullable lookups of the schema. */
async function orNull<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

/** The catalog names its paging `limit`/`nextToken`; the client knows them as `first`/`after`. */
const PAGING_FIELDS: Record<string, string> = { limit: 'first', nextToken: 'after' };

function renamePagingFields(error: unknown): unknown {
  if (error instanceof ValidationError) {
    return new ValidationError(error.problems.map((p) => ({ ...p, field: PAGING_FIELDS[p.field] ?? p.field })));
  }
  if (error instanceof LifeboatError && error.field && PAGING_FIELDS[error.field]) {
    const Kind = error.constructor as new (message: string, field?: string) => LifeboatError;
    return new Kind(error.message, PAGING_FIELDS[error.field]);
  }
  return error;
}

function optional<K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> {
  return value === null || value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function queryResolvers(services: TypedServices) {
  const { catalog, planning, execution } = services;
  const me: Resolver<Record<string, never>, { id: string; username: string; roles: string[] }> = (_p, _a, context) => {
    const caller = authorize(context, 'read', 'me');
    return { id: caller.userId, username: caller.username, roles: caller.roles };
  };
  const sourceServers: Resolver<SourceServersArgs, unknown> = async (_p, { first, after }, context) => {
    const caller = authorize(context, 'read', 'sourceServers');
    const limit = first ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) throw new ValidationError(`must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
    try {
      const page = await catalog.call('listSourceServers', { limit, ...optional('nextToken', after) }, caller);
      return { items: page.items.map(toSourceServer), nextCursor: page.nextToken ?? null };
    } catch (error) {
      throw renamePagingFields(error);
    }
  };
  const protectionGroups: Resolver<Record<string, never>, unknown> = async (_p, _a, context) => {
    const caller = authorize(context, 'read', 'protectionGroups');
    return (await planning.call('listProtectionGroups', {}, caller)).map(toProtectionGroup);
  };
  const recoveryPlans: Resolver<Record<string, never>, unknown> = async (_p, _a, context) => {
    const caller = authorize(context, 'read', 'recoveryPlans');
    return (await planning.call('listRecoveryPlans', {}, caller)).map(toRecoveryPlan);
  };
  const recoveryPlan: Resolver<RecoveryPlanArgs, unknown> = async (_p, { id, version }, context) => {
    const caller = authorize(context, 'read', 'recoveryPlan');
    const plan = await orNull(planning.call('getRecoveryPlan', { planId: id, ...optional('version', version) }, caller));
    return plan && toRecoveryPlan(plan);
  };
  const executions: Resolver<Record<string, never>, unknown> = async (_p, _a, context) => {
    const caller = authorize(context, 'read', 'executions');
    return (await execution.call('listExecutions', {}, caller)).map(toExecution);
  };
  const executionById: Resolver<IdArgs, unknown> = async (_p, { id }, context) => {
    const caller = authorize(context, 'read', 'execution');
    const view = await orNull(execution.call('getExecution', { executionId: id }, caller));
    return view && toExecution(view);
  };
  const executionEvents: Resolver<IdArgs, unknown> = async (_p, { id }, context) => {
    const caller = authorize(context, 'read', 'executionEvents');
    const events = await execution.call('getExecutionEvents', { executionId: id }, caller);
    return [...events].sort((a, b) => a.streamVersion - b.streamVersion).map(toExecutionEvent);
  };
  return { me, sourceServers, protectionGroups, recoveryPlans, recoveryPlan, executions, execution: executionById, executionEvents };
}

function mutationResolvers(services: TypedServices) {
  const { planning, execution } = services;
  const createProtectionGroup: Resolver<CreateProtectionGroupArgs, unknown> = async (_p, { input }, context) => {
    const caller = authorize(context, 'plan:write', 'createProtectionGroup');
    const { name, accountId, region, sourceServerIds } = input;
    return toProtectionGroup(await planning.call('createProtectionGroup', { name, accountId, region, sourceServerIds }, caller));
  };
  const createRecoveryPlan: Resolver<CreateRecoveryPlanArgs, unknown> = async (_p, { input }, context) => {
    const caller = authorize(context, 'plan:write', 'createRecoveryPlan');
    const waves: WaveInput[] = input.waves.map((wave) => ({
      name: wave.name,
      protectionGroupIds: wave.protectionGroupIds,
      ...optional('dependsOn', wave.dependsOn),
      ...optional('launchOrder', wave.launchOrder),
    }));
    return toRecoveryPlan(await planning.call('createRecoveryPlan', { name: input.name, waves }, caller));
  };
  const startExecution: Resolver<StartExecutionArgs, unknown> = async (_p, { input }, context) => {
    const permission = input.mode === 'RECOVERY' ? 'recovery:run' : 'drill:run';
    const caller = authorize(context, permission, `startExecution of a ${input.mode}`);
    const view = await execution.call(
      'startExecution',
      { planId: input.planId, mode: input.mode, ...optional('planVersion', input.planVersion), ...optional('confirmation', input.confirmation) },
      caller,
    );
    return toExecution(view);
  };
  return { createProtectionGroup, createRecoveryPlan, startExecution };
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
