import type { Context } from 'aws-lambda';
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { dynamoDbClient, env, inventoryStore, planningStore } from '../config.js';
import type { InventoryEvent } from '../domain/inventory.js';
import { INVENTORY_EVENT_TYPES, inventoryRecordOf } from '../domain/inventory.js';
import { placeServerInGroups } from '../inventory-changes.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;

/**
 * Keeps planning's copy of the inventory from the catalog's SourceServerDiscovered / Changed /
 * Removed events (rule on the Lifeboat bus, serverless.yml), then places the server in the group
 * its tags select now. Built at the first event so that the environment is read then.
 */
export const handler = async (event: EventBridgeEnvelope<EventDetail>, context: Context): Promise<void> => {
  consumer ??= lifeboatEventConsumer(
    { idempotencyTable: env.idempotencyTable(), eventTypes: INVENTORY_EVENT_TYPES, dynamoDbClient: dynamoDbClient() },
    async (domainEvent) => {
      // The consumer checked the detail against the event's schema and its type against eventTypes.
      const inventoryEvent = domainEvent as InventoryEvent;
      await inventoryStore().apply(inventoryRecordOf(inventoryEvent));
      // Even when the record was older than the stored one: a retry must still finish the placement.
      await placeServerInGroups({ store: planningStore(), inventory: inventoryStore() }, inventoryEvent.data.sourceServerId, { eventId: inventoryEvent.metadata.eventId });
    },
  );
  await consumer(event, context);
};
