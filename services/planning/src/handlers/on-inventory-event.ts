import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { dynamoDbClient, env, inventoryStore } from '../config.js';
import type { InventoryEvent } from '../domain/inventory.js';
import { INVENTORY_EVENT_TYPES, inventoryRecordOf } from '../domain/inventory.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;

/**
 * Keeps planning's copy of the inventory from the catalog's SourceServerDiscovered / Changed /
 * Removed events (rule on the Lifeboat bus, serverless.yml). Built at the first event so that the
 * environment is read then.
 */
export const handler = async (event: EventBridgeEnvelope<EventDetail>, context: Context): Promise<void> => {
  consumer ??= lifeboatEventConsumer(
    { idempotencyTable: env.idempotencyTable(), eventTypes: INVENTORY_EVENT_TYPES, dynamoDbClient: dynamoDbClient() },
    async (domainEvent) => {
      // The consumer checked the detail against the event's schema and its type against eventTypes.
      await inventoryStore().apply(inventoryRecordOf(domainEvent as InventoryEvent));
    },
  );
  await consumer(event, context);
};
