import { createApiHandler } from '@lifeboat/service-api';
import { createCatalogApi } from '../catalog-api.js';
import { assumedRoles, drsClientFor, home, runSync, serverStore, targetStore } from '../config.js';
import { targetAccessChecker } from '../target-checks.js';

/** The catalog's request/response API (function `api`, invoked by the gateway). */
export const handler = createApiHandler(
  createCatalogApi({
    // Getters: the environment is read at the first call, not at import.
    get store() {
      return serverStore();
    },
    get targets() {
      return targetStore();
    },
    get home() {
      return home();
    },
    sync: (actor, scope) => runSync(actor, scope),
    checkAccess: (account) => targetAccessChecker({ roles: assumedRoles(), drsClientFor: drsClientFor() })(account),
    forgetRole: (roleArn, externalId) => assumedRoles().forget(roleArn, externalId),
  }),
);
