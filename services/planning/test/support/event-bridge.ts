import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';

type Mockable = Parameters<typeof mockClient>[0];

/**
 * EventBridge mocked with aws-sdk-client-mock: records every PutEvents entry. (Its types are built
 * on an older @smithy/types than this EventBridge client's, hence the casts; at run time both are
 * the same `send`.)
 */
export function mockEventBridge() {
  const mock = mockClient(EventBridgeClient as unknown as Mockable);
  const published: PutEventsRequestEntry[] = [];
  const accept = () =>
    mock.on(PutEventsCommand as never).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      published.push(...input.Entries);
      return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `evt-${published.length}-${i}` })) };
    });
  accept();
  return {
    published,
    /** Every entry from now on fails. */
    refuse() {
      mock.on(PutEventsCommand as never).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
        FailedEntryCount: input.Entries.length,
        Entries: input.Entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'down' })),
      }));
    },
    reset() {
      mock.reset();
      published.length = 0;
      accept();
    },
    restore: () => mock.restore(),
  };
}
