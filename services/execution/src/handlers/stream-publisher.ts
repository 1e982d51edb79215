import { publishCommits } from '../publishing/stream-publisher.js';
import type { EventsTableStreamEvent } from '../publishing/stream-publisher.js';
import { log } from '../config.js';
import { runtime } from '../runtime.js';

/** What this container last saved to the execution list per live execution (a save that changes none of it is skipped). */
const listed = new Map<string, string>();

/**
 * lifeboat-execution-<stage>-streamPublisher: the DynamoDB Streams consumer of the events table.
 * Throws on any failure so the batch is retried (nothing is acknowledged before it is published).
 */
export const handler = async (event: EventsTableStreamEvent): Promise<void> => {
  const result = await publishCommits({ store: runtime.store(), executions: runtime.executions(), views: runtime.views(), listed, publish: (events) => runtime.publisher().publish(events) }, event);
  if (result.published > 0) log('info', 'published execution events', result);
};
