import type { Context } from 'aws-lambda';
import type { ConsumerResult, EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { lifeboatEventConsumer } from '@lifeboat/events';
import { env, groupStore, serverStore } from '../config.js';
import type { ProtectionGroupEvent } from '../domain/protection-groups.js';
import { PROTECTION_GROUP_EVENT_TYPES } from '../domain/protection-groups.js';
import { projectProtectionGroupEvent } from '../group-projection.js';

let consumer: ReturnType<typeof lifeboatEventConsumer> | undefined;

/**
 * planning's ProtectionGroupCreated / Updated / Deleted (rule on the Lifeboat bus,
 * serverless.yml) -> the protection group of each server in the catalog. Validated and handled
 * once per eventId by lifeboatEventConsumer; built at the first event so that the environment is
 * read then.
 */
export const handler = async (event: EventBridgeEnvelope<EventDetail>, context: Context): Promise<ConsumerResult> => {
  consumer ??= lifeboatEventConsumer({ idempotencyTable: env.idempotencyTable(), eventTypes: PROTECTION_GROUP_EVENT_TYPES }, async (domainEvent) => {
    // The consumer checked the detail against the event's schema and its type against eventTypes.
    const result = await projectProtectionGroupEvent({ groups: groupStore(), store: serverStore() }, domainEvent as ProtectionGroupEvent);
    console.info(JSON.stringify({ level: 'INFO', message: 'protection group projected', eventId: domainEvent.metadata.eventId, type: domainEvent.type, protectionGroupId: result.group.protectionGroupId, assigned: result.assigned, unassigned: result.unassigned }));
  });
  return consumer(event, context);
};
