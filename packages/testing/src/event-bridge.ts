import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsCommandInput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { EventDetail } from '@lifeboat/events';
import { stubClient } from './sdk-mock.js';

/** One published entry with its `Detail` parsed. */
export interface PublishedEvent<TData = unknown> {
  entry: PutEventsRequestEntry;
  detail: EventDetail<TData>;
}

export interface EventBridgeMock {
  /**
   * Every entry PutEvents accepted, oldest first. The same array for the life of the mock: a test
   * may keep it, or empty it (`published.length = 0`); `reset()` empties it too.
   */
  readonly published: PutEventsRequestEntry[];
  /** The accepted entries with their detail parsed, oldest first; only those of `detailType` if given. */
  events<TData = unknown>(detailType?: string): PublishedEvent<TData>[];
  /** From now on PutEvents fails every entry (FailedEntryCount = all), and nothing is recorded. */
  refuse(): void;
  /** Forgets what was published and accepts every entry again. */
  reset(): void;
  /** Gives EventBridgeClient its real `send` back. */
  restore(): void;
}

/**
 * EventBridge mocked at the SDK (every EventBridgeClient of the process): PutEvents accepts and
 * records every entry until `refuse()`.
 */
export function mockEventBridge(): EventBridgeMock {
  const stub = stubClient(EventBridgeClient);
  const published: PutEventsRequestEntry[] = [];
  const accept = () =>
    stub.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      const entries = input.Entries ?? [];
      published.push(...entries);
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `evt-${published.length}-${i}` })) };
    });
  accept();
  return {
    published,
    events<TData = unknown>(detailType?: string): PublishedEvent<TData>[] {
      return published
        .filter((entry) => detailType === undefined || entry.DetailType === detailType)
        .map((entry) => ({ entry, detail: JSON.parse(entry.Detail ?? '{}') as EventDetail<TData> }));
    },
    refuse() {
      stub.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({
        FailedEntryCount: input.Entries?.length ?? 0,
        Entries: (input.Entries ?? []).map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'down' })),
      }));
    },
    reset() {
      stub.reset();
      published.length = 0;
      accept();
    },
    restore() {
      stub.restore();
    },
  };
}
