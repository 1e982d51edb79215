import type { CatalogServiceOperations, ResolvedTargetAccess } from '@lifeboat/service-api';
import { ServiceApiClient, envGetter, systemCaller } from '@lifeboat/service-api';

/** The catalog's answer for an account (`resolveTargetAccess`); rejects NOT_FOUND for an account that is not a target. */
export type TargetAccessResolver = (accountId: string) => Promise<ResolvedTargetAccess>;

/** The environment variable naming the catalog's api function (serverless.yml). */
export const catalogApiFunction = envGetter('CATALOG_API_FUNCTION');

/**
 * resolveTargetAccess of the catalog's api function, called as `systemCaller(service)` (the
 * operation is for services only). Default client: the function named by CATALOG_API_FUNCTION,
 * read at the first call.
 */
export function catalogTargetAccess(service: string, catalog?: Pick<ServiceApiClient, 'call'>): TargetAccessResolver {
  type Operation = CatalogServiceOperations['resolveTargetAccess'];
  let client = catalog;
  return async (accountId) => {
    client ??= new ServiceApiClient(catalogApiFunction());
    return client.call<Operation['result']>('resolveTargetAccess', { accountId } satisfies Operation['input'], systemCaller(service));
  };
}
