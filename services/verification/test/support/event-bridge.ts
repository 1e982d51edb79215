import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import type { EventDetail } from '@lifeboat/events';

export interface PublishedEvent<TData> {
  entry: PutEventsRequestEntry;
  detail: EventDetail<TData>;
}

/**
 * EventBridge mocked with aws-sdk-client-mock, accepting every PutEvents entry.
 *
 * aws-sdk-client-mock 4.1 is typed against @smithy/types 2 (the generation of client-drs 3.523)
 * while client-eventbridge 3.11xx is typed against @smithy/types 4: the runtime shapes match,
 * the declarations do not, hence the cast and the command filtering by class below.
 */
export function mockEventBridge() {
  const stub = mockClient(EventBridgeClient as unknown as Parameters<typeof mockClient>[0]);
  const acceptEverything = () =>
    stub.callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: (input.Entries ?? []).map((_, i) => ({ EventId: `eb-${i}` })) }));
  acceptEverything();
  return {
    reset(): void {
      stub.reset();
      acceptEverything();
    },
    restore(): void {
      stub.restore();
    },
    /** Every entry sent with PutEvents, oldest first, with its detail parsed. */
    published<TData>(): PublishedEvent<TData>[] {
      return stub.calls().flatMap((call) => {
        const command: unknown = call.args[0];
        if (!(command instanceof PutEventsCommand)) return [];
        return (command.input.Entries ?? []).map((entry) => ({ entry, detail: JSON.parse(entry.Detail ?? '{}') as EventDetail<TData> }));
      });
    },
  };
}
