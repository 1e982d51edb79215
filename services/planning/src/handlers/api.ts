import { createApiHandler } from '@lifeboat/service-api';
import { planningApiDeps } from '../config.js';
import { createPlanningApi } from '../planning-api.js';

/** Planning's request/response API (function `api`, invoked by the gateway). */
export const handler = createApiHandler(createPlanningApi(planningApiDeps));
