import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventPublisher, newEventId } from '@lifeboat/events';
import { envGetter } from '@lifeboat/service-api';
import { DynamoProtectionGroupStore } from './adapters/groups-table.js';
import { DynamoInventoryStore } from './adapters/inventory-table.js';
import { DynamoRecoveryPlanStore } from './adapters/plans-table.js';
import type { PlanningApiDeps } from './planning-api.js';

/**
 * Environment of planning's functions (serverless.yml). The DynamoDB endpoint comes from the SDK's
 * standard AWS_ENDPOINT_URL_DYNAMODB (the local runtime sets it).
 */
export const env = {
  groupsTable: envGetter('PLANNING_GROUPS_TABLE'),
  membershipsTable: envGetter('PLANNING_MEMBERSHIPS_TABLE'),
  plansTable: envGetter('PLANNING_PLANS_TABLE'),
  inventoryTable: envGetter('PLANNING_INVENTORY_TABLE'),
  idempotencyTable: envGetter('PLANNING_IDEMPOTENCY_TABLE'),
  eventBusName: envGetter('EVENT_BUS_NAME'),
};

let client: DynamoDBClient | undefined;
let document: DynamoDBDocumentClient | undefined;

export function dynamoDbClient(): DynamoDBClient {
  return (client ??= new DynamoDBClient({}));
}

function db(): DynamoDBDocumentClient {
  return (document ??= DynamoDBDocumentClient.from(dynamoDbClient(), { marshallOptions: { removeUndefinedValues: true } }));
}

export function inventoryStore(): DynamoInventoryStore {
  return new DynamoInventoryStore(db(), env.inventoryTable());
}

let apiDeps: PlanningApiDeps | undefined;

/** Built on first use (not at import) so that a missing variable fails the call, naming it. */
export function planningApiDeps(): PlanningApiDeps {
  return (apiDeps ??= {
    groups: new DynamoProtectionGroupStore(db(), env.groupsTable(), env.membershipsTable()),
    plans: new DynamoRecoveryPlanStore(db(), env.plansTable()),
    inventory: inventoryStore(),
    events: new EventPublisher({ eventBusName: env.eventBusName() }),
    newId: (prefix) => `${prefix}-${newEventId()}`,
  });
}
