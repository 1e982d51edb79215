import type { Caller, CatalogOperations, ExecutionOperations, NotificationOperations, PlanningOperations } from '@lifeboat/service-api';
import { ServiceApiClient, functionNameOf } from '@lifeboat/service-api';
import type { UserDirectory } from './users/directory.js';

/** What the gateway needs of a service: its API, one operation at a time (ServiceApiClient). */
export interface ServiceClient {
  call<TResult>(operation: string, input: unknown, caller: Caller): Promise<TResult>;
}

/** The services the gateway calls; injected so that tests and the local runtime choose. */
export interface ServiceClients {
  catalog: ServiceClient;
  planning: ServiceClient;
  execution: ServiceClient;
  /** Optional until every runtime wires it: without it, the notification fields answer an error. */
  notification?: ServiceClient;
  /** Users and roles (the local identity provider, the Cognito pool on AWS); without it, the user fields answer an error. */
  users?: UserDirectory;
}

/** The deployed services of a stage, called with Lambda Invoke (`lifeboat-<service>-<stage>-api`). */
export function serviceClientsForStage(stage: string): ServiceClients {
  return {
    catalog: new ServiceApiClient(functionNameOf('catalog', stage, 'api')),
    planning: new ServiceApiClient(functionNameOf('planning', stage, 'api')),
    execution: new ServiceApiClient(functionNameOf('execution', stage, 'api')),
    notification: new ServiceApiClient(functionNameOf('notification', stage, 'api')),
  };
}

type OperationsOf<T> = { [K in keyof T]: { input: unknown; result: unknown } };

/** A service client typed by its contract (contracts.ts), so that inputs and results are checked. */
export class TypedService<TOperations extends OperationsOf<TOperations>> {
  constructor(private readonly client: ServiceClient) {}

  call<K extends keyof TOperations & string>(operation: K, input: TOperations[K]['input'], caller: Caller): Promise<TOperations[K]['result']> {
    return this.client.call<TOperations[K]['result']>(operation, input, caller);
  }
}

export interface TypedServices {
  catalog: TypedService<CatalogOperations>;
  planning: TypedService<PlanningOperations>;
  execution: TypedService<ExecutionOperations>;
  notification: TypedService<NotificationOperations>;
}

/** Stands in for a notification service the runtime did not wire: every call fails, clearly. */
const notWired: ServiceClient = {
  call: () => Promise.reject(new Error('The notification service is not configured in this gateway')),
};

export function typed(services: ServiceClients): TypedServices {
  return {
    catalog: new TypedService<CatalogOperations>(services.catalog),
    planning: new TypedService<PlanningOperations>(services.planning),
    execution: new TypedService<ExecutionOperations>(services.execution),
    notification: new TypedService<NotificationOperations>(services.notification ?? notWired),
  };
}
