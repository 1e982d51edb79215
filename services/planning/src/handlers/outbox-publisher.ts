import { eventPublisher, log } from '../config.js';
import type { OutboxStreamEvent } from '../outbox/outbox.js';
import { publishOutbox } from '../outbox/outbox.js';

/**
 * lifeboat-planning-<stage>-outboxPublisher: the DynamoDB Streams consumer of the outbox table.
 * Throws on any failure so that the batch is retried (retried until published: serverless.yml).
 */
export const handler = async (event: OutboxStreamEvent): Promise<void> => {
  const published = await publishOutbox(event, (events) => eventPublisher().publish(events));
  if (published > 0) log('info', 'published planning events', { published });
};
