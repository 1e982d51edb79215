import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { readJournal } from '../journal.js';

/** An AWS::SQS::Queue of a serverless.yml, as the local runtime keeps it. */
export interface QueueDefinition {
  name: string;
  arn: string;
  /** From RedrivePolicy: after this many receives a message goes to the dead-letter file. */
  maxReceiveCount?: number;
}

export interface QueueMessage {
  messageId: string;
  body: string;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
}

type JournalEntry = { kind: 'sent'; message: QueueMessage } | { kind: 'deleted' | 'dead'; messageId: string };

export interface LocalQueueOptions {
  /** Folder of the journal and dead letters; memory only when omitted. */
  dataDir?: string;
  log?: (message: string) => void;
}

/**
 * A standard SQS queue, locally: messages sent are kept (a journal survives restarts) until a
 * consumer deletes them; a received message is invisible until it is deleted or released, and
 * goes to the dead-letter file once received maxReceiveCount times, as RedrivePolicy says. A
 * message in flight when the process stopped is visible again at the next start, as it would be
 * once its visibility timeout ran out.
 */
export class LocalQueue {
  private readonly visible = new Map<string, QueueMessage>();
  private readonly inFlight = new Map<string, QueueMessage>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Set<() => void>();
  private readonly file: string | undefined;
  private readonly deadLetterFile: string | undefined;
  private readonly log: (message: string) => void;
  private closed = false;

  constructor(readonly definition: QueueDefinition, options: LocalQueueOptions = {}) {
    this.log = options.log ?? (() => undefined);
    if (options.dataDir) {
      const dir = path.join(options.dataDir, 'sqs');
      fs.mkdirSync(dir, { recursive: true });
      this.file = path.join(dir, `${definition.name}.jsonl`);
      this.deadLetterFile = path.join(dir, `${definition.name}.dead-letters.jsonl`);
      this.restore();
    }
  }

  /** SendMessage: the message id. */
  send(body: string): string {
    if (this.closed) throw new Error(`Queue ${this.definition.name} is closed`);
    const message: QueueMessage = { messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0 };
    this.journal({ kind: 'sent', message });
    this.visible.set(message.messageId, message);
    this.notify();
    return message.messageId;
  }

  /** Messages that can be received now. */
  get visibleCount(): number {
    return this.visible.size;
  }

  /** When the first visible message was sent (undefined: none visible); released ones wait at the back. */
  get oldestVisibleSentAt(): number | undefined {
    return this.visible.values().next().value?.sentAt;
  }

  /** In flight or waiting: what a consumer has not deleted yet. */
  get undeletedCount(): number {
    return this.visible.size + this.inFlight.size + this.delayed.size;
  }

  /** ReceiveMessage: up to `max` visible messages, in the order they became visible, now invisible (a standard queue promises no order). */
  receive(max: number): QueueMessage[] {
    const now = Date.now();
    const taken: QueueMessage[] = [];
    for (const message of this.visible.values()) {
      if (taken.length === max) break;
      taken.push(message);
    }
    for (const message of taken) {
      this.visible.delete(message.messageId);
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      this.inFlight.set(message.messageId, message);
    }
    return taken.map((m) => ({ ...m }));
  }

  /** DeleteMessage: the consumer is done with it. */
  delete(messageId: string): void {
    if (!this.inFlight.delete(messageId)) return;
    this.journal({ kind: 'deleted', messageId });
  }

  /**
   * The consumer failed it: visible again after `delayMs` (the visibility timeout), or, once it was
   * received maxReceiveCount times, moved to the dead-letter file.
   */
  release(messageId: string, delayMs: number, reason: string): void {
    const message = this.inFlight.get(messageId);
    if (!message) return;
    this.inFlight.delete(messageId);
    const max = this.definition.maxReceiveCount;
    if (max !== undefined && message.receiveCount >= max) {
      this.log(`${this.definition.name}: message ${messageId} received ${message.receiveCount} times (${reason}); moved to the dead-letter file`);
      this.journal({ kind: 'dead', messageId });
      if (this.deadLetterFile) fs.appendFileSync(this.deadLetterFile, JSON.stringify({ queue: this.definition.name, receiveCount: message.receiveCount, reason, failedAt: new Date().toISOString(), message }) + '\n');
      return;
    }
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.delayed.delete(messageId);
      if (this.closed) return;
      this.visible.set(messageId, message);
      this.notify();
    }, delayMs);
    this.delayed.set(messageId, timer);
  }

  /** Called whenever messages become visible. */
  onVisible(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Dead letters written so far. */
  readDeadLetters(): { queue: string; receiveCount: number; reason: string; message: QueueMessage }[] {
    if (!this.deadLetterFile || !fs.existsSync(this.deadLetterFile)) return [];
    return fs.readFileSync(this.deadLetterFile, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { queue: string; receiveCount: number; reason: string; message: QueueMessage });
  }

  close(): void {
    this.closed = true;
    for (const timer of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.listeners.clear();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }

  private restore(): void {
    if (!this.file) return;
    const open = new Map<string, QueueMessage>();
    for (const entry of readJournal<JournalEntry>(this.file)) {
      if (entry.kind === 'sent') open.set(entry.message.messageId, entry.message);
      else open.delete(entry.messageId);
    }
    // Compact the journal to what is still undeleted.
    fs.writeFileSync(this.file, [...open.values()].map((message) => JSON.stringify({ kind: 'sent', message }) + '\n').join(''));
    for (const message of open.values()) this.visible.set(message.messageId, message);
    if (open.size > 0) this.log(`${this.definition.name}: ${open.size} messages left by the last run are visible again`);
  }

  private journal(entry: JournalEntry): void {
    if (this.file) fs.appendFileSync(this.file, JSON.stringify(entry) + '\n');
  }
}

/** What an SQS event source mapping hands the function (aws-lambda's SQSRecord). */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string; SentTimestamp: string; SenderId: string; ApproximateFirstReceiveTimestamp: string };
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEventSourceOptions {
  functionName: string;
  batchSize: number;
  maximumBatchingWindowMs: number;
  /** functionResponseType ReportBatchItemFailures: only the records the function names are retried. */
  reportBatchItemFailures: boolean;
  region: string;
  accountId: string;
  invoke: (event: { Records: SqsRecord[] }) => Promise<unknown>;
  /** Batches in flight at once. */
  concurrency?: number;
  /** The visibility timeout of a failed message: first retry delay, doubled per receive up to retryMaxMs. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  log?: (message: string) => void;
}

/**
 * An SQS event source mapping: polls the queue, waits up to maximumBatchingWindow for a full batch,
 * invokes the function with the batch, deletes what succeeded and releases the rest (all of it
 * when the function failed; with ReportBatchItemFailures, the records it names).
 */
export class SqsEventSource {
  private inFlight = 0;
  private readonly running = new Set<Promise<void>>();
  private windowTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly unsubscribe: () => void;
  private readonly log: (message: string) => void;

  constructor(private readonly queue: LocalQueue, private readonly options: SqsEventSourceOptions) {
    this.log = options.log ?? (() => undefined);
    this.unsubscribe = queue.onVisible(() => this.pump());
  }

  start(): void {
    this.pump();
  }

  /** Resolves when the queue is empty and no batch is running (tests). */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.queue.undeletedCount === 0 && this.inFlight === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    clearTimeout(this.windowTimer);
    await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    if (this.closed || this.windowTimer) return;
    while (this.inFlight < (this.options.concurrency ?? 2) && this.queue.visibleCount > 0) {
      const oldest = this.queue.oldestVisibleSentAt ?? Date.now();
      const waitMs = oldest + this.options.maximumBatchingWindowMs - Date.now();
      // A partial batch waits for the batching window of its oldest message.
      if (this.queue.visibleCount < this.options.batchSize && waitMs > 0) {
        this.windowTimer = setTimeout(() => {
          this.windowTimer = undefined;
          this.pump();
        }, waitMs);
        return;
      }
      const batch = this.queue.receive(this.options.batchSize);
      this.inFlight++;
      const run = this.deliver(batch).finally(() => {
        this.inFlight--;
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async deliver(batch: QueueMessage[]): Promise<void> {
    const { queue } = this;
    const records: SqsRecord[] = batch.map((message) => ({
      messageId: message.messageId,
      receiptHandle: `${message.messageId}#${message.receiveCount}`,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: this.options.accountId,
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? Date.now()),
      },
      messageAttributes: {},
      md5OfBody: createHash('md5').update(message.body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.definition.arn,
      awsRegion: this.options.region,
    }));
    let failed: Set<string>;
    let reason: string;
    try {
      const response = await this.options.invoke({ Records: records });
      failed = this.options.reportBatchItemFailures ? failedItemsOf(response, batch) : new Set();
      reason = 'reported in batchItemFailures';
    } catch (error) {
      failed = new Set(batch.map((m) => m.messageId));
      reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (!this.closed) this.log(`${this.options.functionName}: a batch of ${batch.length} from ${queue.definition.name} failed (${reason}); retried`);
    }
    for (const message of batch) {
      if (!failed.has(message.messageId)) queue.delete(message.messageId);
      else queue.release(message.messageId, this.retryDelayMs(message.receiveCount), reason);
    }
  }

  private retryDelayMs(receiveCount: number): number {
    const base = this.options.retryBaseMs ?? 200;
    return Math.min(this.options.retryMaxMs ?? 30_000, base * 2 ** (receiveCount - 1)) * (0.75 + Math.random() * 0.5);
  }
}

/**
 * The message ids of `{ batchItemFailures: [{ itemIdentifier }] }`. As Lambda does, a response
 * naming an id that is not in the batch, or malformed, fails the whole batch.
 */
function failedItemsOf(response: unknown, batch: readonly QueueMessage[]): Set<string> {
  const all = new Set(batch.map((m) => m.messageId));
  if (response === undefined || response === null) return new Set();
  const failures = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const ids = new Set<string>();
  for (const failure of failures as unknown[]) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    ids.add(id);
  }
  return ids;
}
