import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DomainEvent } from '@lifeboat/events';
import { toExecutionEvents } from '../command-handler.js';
import { projectExecution } from '../domain/projection.js';
import type { EventStore, StoredEvent } from '../event-store/event-store.js';
import { toPublishedEvent } from '../event-store/event-store.js';
import { eventsOfCommit } from '../event-store/dynamodb.js';
import type { ExecutionList } from '../read-models/executions.js';
import { liveListingKey } from '../read-models/executions.js';
import type { ExecutionViewCache } from '../read-models/execution-views.js';

/** The part of a DynamoDB Streams event this publisher reads (images in DynamoDB JSON). */
export interface EventsTableStreamEvent {
  Records: {
    eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
    dynamodb?: { NewImage?: Record<string, unknown>; Keys?: Record<string, unknown>; SequenceNumber?: string };
  }[];
}

export interface StreamPublisherDeps {
  store: EventStore;
  executions: ExecutionList;
  publish: (events: DomainEvent[]) => Promise<void>;
  /** Views kept between batches (default: none kept, each stream folded whole). */
  views?: ExecutionViewCache;
  /** What was last saved to the list per stream (its listed fields), to skip saves that change nothing listed. */
  listed?: Map<string, string>;
}

const STREAM_PREFIX = 'execution/';

/**
 * Publishes the events of every commit newly inserted into the events table (metadata extended
 * with the stream, version and hash chain) and refreshes the execution list read model of the
 * streams they belong to. Throws when anything fails, so that the whole batch is retried: the
 * bus and the read model may see an event twice, never miss one.
 */
export async function publishCommits(deps: StreamPublisherDeps, event: EventsTableStreamEvent): Promise<{ published: number; views: number }> {
  const stored: StoredEvent[] = [];
  for (const record of event.Records) {
    // Commits are immutable: only inserts carry news.
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
    stored.push(...eventsOfCommit(unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>)));
  }
  if (stored.length === 0) return { published: 0, views: 0 };
  stored.sort((a, b) => a.streamId.localeCompare(b.streamId) || a.version - b.version);
  await deps.publish(stored.map(toPublishedEvent));

  let views = 0;
  for (const streamId of new Set(stored.map((e) => e.streamId))) {
    if (!streamId.startsWith(STREAM_PREFIX)) continue;
    // Read the stream (strongly consistent; only the tail after a kept view) rather than trusting
    // the batch: the view is then never older than what this batch saw, whatever order batches arrive in.
    const view = deps.views ? await deps.views.current(streamId) : projectExecution(toExecutionEvents(await deps.store.readStream(streamId)));
    if (!view) continue;
    // A live execution is listed without its servers (listedView): a commit that changed only its
    // servers (most of them: launches, checks) changes nothing the list holds, and is not saved.
    const listed = liveListingKey(view);
    if (listed !== undefined && deps.listed?.get(streamId) === listed) continue;
    if (await deps.executions.save(view)) views++;
    if (listed !== undefined) deps.listed?.set(streamId, listed);
    else deps.listed?.delete(streamId);
  }
  return { published: stored.length, views };
}
