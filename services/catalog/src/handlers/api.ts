import { createApiHandler } from '@lifeboat/service-api';
import { createCatalogApi } from '../catalog-api.js';
import { runSync, serverStore } from '../config.js';

/** The catalog's request/response API (function `api`, invoked by the gateway). */
export const handler = createApiHandler(
  createCatalogApi({
    page: (limit, nextToken) => serverStore().page(limit, nextToken),
    sync: (actor) => runSync(actor),
  }),
);
