import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventPublisher, newEventId } from '@lifeboat/events';
import { envGetter } from '@lifeboat/service-api';
import { DrsLaunchSettings, regionalClients } from './adapters/drs-launch-settings.js';
import { DynamoInventoryStore } from './adapters/inventory-table.js';
import { DynamoPlanningStore } from './adapters/planning-store.js';
import type { PlanningApiDeps } from './planning-api.js';

/**
 * Environment of planning's functions (serverless.yml). The DynamoDB endpoint comes from the SDK's
 * standard AWS_ENDPOINT_URL_DYNAMODB (the local runtime sets it).
 */
export const env = {
  groupsTable: envGetter('PLANNING_GROUPS_TABLE'),
  membershipsTable: envGetter('PLANNING_MEMBERSHIPS_TABLE'),
  namesTable: envGetter('PLANNING_NAMES_TABLE'),
  plansTable: envGetter('PLANNING_PLANS_TABLE'),
  outboxTable: envGetter('PLANNING_OUTBOX_TABLE'),
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

let store: DynamoPlanningStore | undefined;

export function planningStore(): DynamoPlanningStore {
  return (store ??= new DynamoPlanningStore(db(), { groups: env.groupsTable(), memberships: env.membershipsTable(), names: env.namesTable(), plans: env.plansTable(), outbox: env.outboxTable() }));
}

let apiDeps: PlanningApiDeps | undefined;

/** Built on first use (not at import) so that a missing variable fails the call, naming it. */
export function planningApiDeps(): PlanningApiDeps {
  return (apiDeps ??= { store: planningStore(), inventory: inventoryStore(), newId: (prefix) => `${prefix}-${newEventId()}`, newUuid: randomUUID });
}

let publisher: EventPublisher | undefined;

export function eventPublisher(): EventPublisher {
  return (publisher ??= new EventPublisher({ eventBusName: env.eventBusName() }));
}

let launchSettings: DrsLaunchSettings | undefined;

export function drsLaunchSettings(): DrsLaunchSettings {
  return (launchSettings ??= new DrsLaunchSettings(regionalClients()));
}

/** One JSON line per entry (CloudWatch Logs). */
export function log(level: 'info' | 'warn' | 'error', message: string, detail: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, message, ...detail });
  if (level === 'info') console.log(line);
  else console.error(line);
}
