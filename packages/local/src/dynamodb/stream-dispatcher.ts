import fs from 'node:fs';
import path from 'node:path';
import type { StreamLog, StreamRecord } from './stream-log.js';

const CHECKPOINT_INTERVAL_MS = 200;

/** A Lambda event source mapping from a table's stream to a function. */
export interface StreamConsumer {
  functionName: string;
  table: string;
  batchSize: number;
  /** -1: retry until the batch succeeds (DynamoDB Streams keeps the shard blocked meanwhile). */
  maximumRetryAttempts: number;
  invoke: (event: { Records: unknown[] }) => Promise<unknown>;
}

/**
 * Delivers committed stream records to their consumers in order, one batch at a time per consumer,
 * checkpointing each consumer's position on disk so that a restart resumes where it stopped.
 */
export class StreamDispatcher {
  private readonly running = new Map<string, Promise<void>>();
  private readonly wakeups = new Map<string, () => void>();
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly log: StreamLog,
    private readonly consumers: StreamConsumer[],
    private readonly settings: { region: string; accountId: string; checkpointDir?: string; retryBaseMs?: number; report?: (message: string) => void },
  ) {
    this.unsubscribe = log.onAppend((table) => {
      for (const consumer of consumers) if (consumer.table === table) this.wakeups.get(consumer.functionName)?.();
    });
  }

  start(): void {
    for (const consumer of this.consumers) this.running.set(consumer.functionName, this.poll(consumer));
  }

  /** Resolves once every consumer has processed every record committed so far. */
  async drained(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.consumers.every((c) => this.log.readAfter(c.table, this.checkpoint(c), 1).length === 0)) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    for (const wake of this.wakeups.values()) wake();
    await Promise.allSettled(this.running.values());
    this.saveCheckpoints();
  }

  private readonly positions = new Map<string, number>();

  private checkpoint(consumer: StreamConsumer): number {
    let position = this.positions.get(consumer.functionName);
    if (position === undefined) {
      const file = this.checkpointFile(consumer);
      position = file && fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) || 0 : 0;
      this.positions.set(consumer.functionName, position);
    }
    return position;
  }

  /** Checkpoints not yet on disk, written together at most every CHECKPOINT_INTERVAL_MS and on close. */
  private readonly unsaved = new Set<StreamConsumer>();
  private saveTimer: NodeJS.Timeout | undefined;

  private advance(consumer: StreamConsumer, position: number): void {
    this.positions.set(consumer.functionName, position);
    if (!this.checkpointFile(consumer)) return;
    // One synchronous write per batch cost seconds over a large drill. A restart may redeliver
    // the batches of the last interval: consumers are idempotent, as with DynamoDB Streams.
    this.unsaved.add(consumer);
    this.saveTimer ??= setTimeout(() => this.saveCheckpoints(), CHECKPOINT_INTERVAL_MS);
  }

  private saveCheckpoints(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    for (const consumer of this.unsaved) {
      const file = this.checkpointFile(consumer);
      if (file) fs.writeFileSync(file, String(this.positions.get(consumer.functionName) ?? 0));
    }
    this.unsaved.clear();
  }

  private checkpointFile(consumer: StreamConsumer): string | undefined {
    return this.settings.checkpointDir ? path.join(this.settings.checkpointDir, `${consumer.functionName}.checkpoint`) : undefined;
  }

  private async poll(consumer: StreamConsumer): Promise<void> {
    let failures = 0;
    while (!this.closed) {
      const batch = this.log.readAfter(consumer.table, this.checkpoint(consumer), consumer.batchSize);
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          this.wakeups.set(consumer.functionName, resolve);
          // A safety net if a wake-up is missed.
          setTimeout(resolve, 1000).unref();
        });
        continue;
      }
      try {
        await consumer.invoke({ Records: batch.map((record) => this.toLambdaRecord(record)) });
        failures = 0;
        this.advance(consumer, batch[batch.length - 1]?.sequenceNumber ?? this.checkpoint(consumer));
      } catch (error) {
        failures++;
        const message = error instanceof Error ? error.message : String(error);
        if (consumer.maximumRetryAttempts >= 0 && failures > consumer.maximumRetryAttempts) {
          this.settings.report?.(`${consumer.functionName}: skipping a stream batch after ${failures} failures (${message})`);
          this.advance(consumer, batch[batch.length - 1]?.sequenceNumber ?? this.checkpoint(consumer));
          failures = 0;
          continue;
        }
        this.settings.report?.(`${consumer.functionName}: stream batch failed (${message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, (this.settings.retryBaseMs ?? 200) * 2 ** Math.min(failures - 1, 6))));
      }
    }
  }

  private toLambdaRecord(record: StreamRecord): Record<string, unknown> {
    const { region, accountId } = this.settings;
    const sequence = String(record.sequenceNumber).padStart(21, '0');
    return {
      eventID: sequence,
      eventName: record.eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(record.createdAt / 1000),
        Keys: record.keys,
        ...(record.newImage ? { NewImage: record.newImage } : {}),
        ...(record.oldImage ? { OldImage: record.oldImage } : {}),
        SequenceNumber: sequence,
        SizeBytes: JSON.stringify(record.newImage ?? record.keys).length,
        StreamViewType: record.newImage && record.oldImage ? 'NEW_AND_OLD_IMAGES' : record.oldImage ? 'OLD_IMAGE' : 'NEW_IMAGE',
      },
      eventSourceARN: `arn:aws:dynamodb:${region}:${accountId}:table/${record.table}/stream/local`,
    };
  }
}
