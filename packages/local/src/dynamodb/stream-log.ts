import fs from 'node:fs';
import path from 'node:path';
import type { AttributeMap } from './wire.js';
import { readJournal } from '../journal.js';

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

/** One committed change of an item, as DynamoDB Streams reports it. */
export interface StreamChange {
  table: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  keys: AttributeMap;
  newImage?: AttributeMap;
  oldImage?: AttributeMap;
}

export interface StreamRecord extends StreamChange {
  sequenceNumber: number;
  createdAt: number;
}

/** A write about to be made to a stream-enabled table. */
export interface IntendedWrite {
  table: string;
  keys: AttributeMap;
  kind: 'put' | 'update' | 'delete';
  item?: AttributeMap;
  existedBefore: boolean;
  oldImage?: AttributeMap;
}

type WalEntry =
  | { seq: number; kind: 'intent'; writes: IntendedWrite[] }
  | { seq: number; kind: 'commit'; changes: StreamChange[]; at: number }
  | { seq: number; kind: 'abort' };

/**
 * Write-ahead log of the changes to stream-enabled tables. An intent is written before the change
 * reaches dynalite, its commit after; at start-up an intent without an outcome is settled by
 * reading the table, so that a committed write is never missing from the stream.
 */
export class StreamLog {
  private readonly file: string | undefined;
  private nextSeq = 1;
  private readonly records = new Map<string, StreamRecord[]>();
  private readonly listeners = new Set<(table: string) => void>();
  private unresolved: Extract<WalEntry, { kind: 'intent' }>[] = [];

  constructor(dir: string | undefined) {
    if (dir) {
      fs.mkdirSync(dir, { recursive: true });
      this.file = path.join(dir, 'stream-wal.jsonl');
      this.load();
    }
  }

  private load(): void {
    if (!this.file || !fs.existsSync(this.file)) return;
    const intents = new Map<number, Extract<WalEntry, { kind: 'intent' }>>();
    // A torn last line (a crash mid-write) is skipped: its intent never reached dynalite.
    for (const entry of readJournal<WalEntry>(this.file)) {
      this.nextSeq = Math.max(this.nextSeq, entry.seq + 1);
      if (entry.kind === 'intent') intents.set(entry.seq, entry);
      else {
        intents.delete(entry.seq);
        if (entry.kind === 'commit') this.index(entry.seq, entry.changes, entry.at);
      }
    }
    this.unresolved = [...intents.values()];
  }

  /** Intents left by a crash; the caller settles each with commit or abort after reading the table. */
  takeUnresolved(): { seq: number; writes: IntendedWrite[] }[] {
    const pending = this.unresolved;
    this.unresolved = [];
    return pending;
  }

  intend(writes: IntendedWrite[]): number {
    const seq = this.nextSeq++;
    this.append({ seq, kind: 'intent', writes });
    return seq;
  }

  commit(seq: number, changes: StreamChange[]): void {
    const at = Date.now();
    this.append({ seq, kind: 'commit', changes, at });
    this.index(seq, changes, at);
    for (const table of new Set(changes.map((c) => c.table))) for (const listener of this.listeners) listener(table);
  }

  abort(seq: number): void {
    this.append({ seq, kind: 'abort' });
  }

  /** Records of a table after a sequence number, oldest first. */
  readAfter(table: string, afterSequence: number, limit: number): StreamRecord[] {
    const all = this.records.get(table) ?? [];
    // Records are in sequence order: binary search the first one after the checkpoint.
    let low = 0;
    let high = all.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((all[mid]?.sequenceNumber ?? 0) <= afterSequence) low = mid + 1;
      else high = mid;
    }
    return all.slice(low, low + limit);
  }

  onAppend(listener: (table: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private index(seq: number, changes: StreamChange[], at: number): void {
    changes.forEach((change, offset) => {
      const list = this.records.get(change.table) ?? [];
      // One WAL entry may hold several changes (a transaction): give each its own sequence number.
      list.push({ ...change, sequenceNumber: seq * 1000 + offset, createdAt: at });
      this.records.set(change.table, list);
    });
  }

  private append(entry: WalEntry): void {
    if (this.file) fs.appendFileSync(this.file, JSON.stringify(entry) + '\n');
  }
}
