import { EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { claimChecked, mayBeClaimChecked } from './claim-check.js';
import type { DomainEvent } from './envelope.js';
import { sourceOf, validateEventDetail, isLifeboatEventType, EventValidationError } from './schemas.js';

/** PutEvents limits: at most 10 entries and 256 KB per request. */
export const MAX_ENTRIES_PER_PUT = 10;
export const MAX_BYTES_PER_PUT = 256 * 1024;

/** Thrown when some events could not be published after every retry: nothing is dropped silently. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(readonly failures: { eventId: string; type: string; errorCode?: string; errorMessage?: string }[]) {
    super(`${failures.length} event(s) were not published: ${failures.map((f) => `${f.type} ${f.eventId} (${f.errorCode ?? 'unknown'})`).join(', ')}`);
  }
}

/** The size EventBridge counts for an entry (Time, Source, DetailType, Detail, Resources). */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  for (const text of [entry.Source, entry['DetailType'], entry.Detail, ...(entry.Resources ?? [])]) {
    if (text) size += Buffer.byteLength(text, 'utf8');
  }
  return size;
}

/** Splits entries into PutEvents requests that respect both limits. */
export function batchEntries<T extends PutEventsRequestEntry>(entries: T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > MAX_BYTES_PER_PUT) throw new Error(`An event of ${size} bytes exceeds the PutEvents limit of ${MAX_BYTES_PER_PUT}`);
    if (current.length === MAX_ENTRIES_PER_PUT || currentBytes + size > MAX_BYTES_PER_PUT) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface EventPublisherOptions {
  client?: EventBridgeClient;
  eventBusName: string;
  /** Attempts per entry, the first included. */
  maxAttempts?: number;
  /** Base delay of the exponential backoff between attempts. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** PutEvents requests in flight at once (default 4). */
  concurrency?: number;
}

/**
 * A 1,000-server wave's start is one commit of 1,002 events: 101 PutEvents requests, which one
 * after the other take seconds before the last batch leader reaches the process manager.
 * EventBridge keeps no order between entries anyway; consumers order by stream version.
 */
const DEFAULT_CONCURRENCY = 4;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Publishes Lifeboat domain events to the bus, validated against their schemas. */
export class EventPublisher {
  private readonly client: EventBridgeClient;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: EventPublisherOptions) {
    this.client = options.client ?? new EventBridgeClient({});
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /**
   * An event of a stream too large for one entry goes claim-checked (metadata.claimCheck with the
   * full entry's size, data {}): its consumers read it from the stream. Any other event over the
   * limit is refused before anything is sent.
   */
  async publish(events: DomainEvent[], resources: (event: DomainEvent) => string[] = () => []): Promise<void> {
    if (events.length === 0) return;
    const entries = events.map((event) => {
      if (!isLifeboatEventType(event.type)) throw new EventValidationError(event.type, [{ path: '', message: 'is not a known Lifeboat event type' }]);
      validateEventDetail(event.type, { metadata: event.metadata, data: event.data });
      const source = sourceOf(event.type);
      const entry = this.entryOf(source, event, event, resources(event));
      const bytes = entrySize(entry);
      if (bytes <= MAX_BYTES_PER_PUT || !mayBeClaimChecked(event)) return entry;
      const checked = claimChecked(event, bytes);
      validateEventDetail(checked.type, { metadata: checked.metadata, data: checked.data });
      return this.entryOf(source, event, checked, entry.Resources);
    });
    const failures: PublishError['failures'] = [];
    const batches = batchEntries(entries);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let batch = batches[next++]; batch; batch = batches[next++]) failures.push(...(await this.putWithRetry(batch)));
    };
    await Promise.all(Array.from({ length: Math.min(batches.length, this.options.concurrency ?? DEFAULT_CONCURRENCY) }, worker));
    if (failures.length > 0) throw new PublishError(failures);
  }

  /** The entry that carries `sent` (the event itself, or its claim-checked form); failures name `event`. */
  private entryOf(source: string, event: DomainEvent, sent: DomainEvent, resources: string[]): PutEventsRequestEntry & { event: DomainEvent; Resources: string[] } {
    return {
      event,
      EventBusName: this.options.eventBusName,
      Source: source,
      DetailType: event.type,
      Detail: JSON.stringify({ metadata: sent.metadata, data: sent.data }),
      Resources: resources,
      Time: new Date(event.metadata.occurredAt),
    };
  }

  private async putWithRetry(batch: (PutEventsRequestEntry & { event: DomainEvent })[]): Promise<PublishError['failures']> {
    let pending = batch;
    let lastErrors = new Map<string, { errorCode?: string; errorMessage?: string }>();
    for (let attempt = 1; attempt <= this.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) await this.sleep(this.baseDelayMs * 2 ** (attempt - 2));
      let response: PutEventsCommandOutput;
      try {
        response = await this.client.send(new PutEventsCommand({ Entries: pending.map(({ event: _event, ...entry }) => entry) }));
      } catch (error) {
        // The whole request failed (after the SDK's own retries): every pending entry is unpublished.
        const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
        lastErrors = new Map(pending.map((entry) => [entry.event.metadata.eventId, { errorCode: name, errorMessage: message }]));
        continue;
      }
      if (!response.FailedEntryCount) return [];
      const results = response.Entries ?? [];
      lastErrors = new Map();
      // Entries come back in request order; failed ones carry an ErrorCode.
      pending = pending.filter((entry, index) => {
        const result = results[index];
        const failed = !result || Boolean(result.ErrorCode) || !result.EventId;
        if (failed) lastErrors.set(entry.event.metadata.eventId, { errorCode: result?.ErrorCode, errorMessage: result?.ErrorMessage });
        return failed;
      });
    }
    return pending.map((entry) => ({ eventId: entry.event.metadata.eventId, type: entry.event.type, ...lastErrors.get(entry.event.metadata.eventId) }));
  }
}
