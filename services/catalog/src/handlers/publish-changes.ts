import { eventPublisher } from '../config.js';
import type { ServersStreamEvent } from '../publishing/stream-publisher.js';
import { publishChanges } from '../publishing/stream-publisher.js';

/**
 * The DynamoDB Streams consumer of the servers table: announces every committed change on the
 * Lifeboat bus. Throws when publishing fails, so the batch is retried until it is published
 * (serverless.yml: maximumRetryAttempts -1): no committed change is acknowledged unannounced.
 */
export const handler = async (event: ServersStreamEvent): Promise<{ published: number }> => {
  const result = await publishChanges({ publish: (events, resources) => eventPublisher().publish(events, resources) }, event);
  if (result.published > 0) console.info(JSON.stringify({ level: 'INFO', message: 'published inventory changes', ...result }));
  return result;
};
