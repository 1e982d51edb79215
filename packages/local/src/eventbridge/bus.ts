import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EventBridgeEnvelope } from '@lifeboat/events';
import { compileEventPattern } from './event-pattern.js';
import { readJournal } from '../journal.js';

/** An event as EventBridge delivers it to a target (a replayed one names its replay). */
export type BusEvent = EventBridgeEnvelope & { version: '0'; 'replay-name'?: string };

/** A rule with one target: what the `eventBridge` and `schedule` events of a function declare. */
export interface BusRule {
  name: string;
  eventBus: string;
  /** Absent for schedule rules, which are fired by the scheduler. */
  pattern?: Record<string, unknown>;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
  target: (event: BusEvent) => Promise<unknown>;
}

/** One entry of PutEvents (already parsed). */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  Time?: number | string | Date;
  EventBusName?: string;
}

export type PutEventsResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

interface Delivery {
  deliveryId: string;
  rule: string;
  event: BusEvent;
  attempt: number;
  firstAttemptAt: number;
}

type JournalEntry = { kind: 'pending'; delivery: Delivery } | { kind: 'done' | 'dead'; deliveryId: string };

export interface LocalEventBusOptions {
  accountId: string;
  region: string;
  buses: string[];
  /** Folder for the archive, the delivery journal and dead letters; memory only when omitted. */
  dataDir?: string;
  /** First retry delay; doubles per attempt up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  log?: (message: string) => void;
}

const MAX_ENTRY_BYTES = 256 * 1024;

/**
 * The local EventBridge: buses with rules matched by EventBridge's pattern semantics, delivered
 * asynchronously and at least once (a journal survives restarts), retried with exponential backoff
 * within each rule's retry policy, then written to a dead-letter file; every event is archived.
 */
export class LocalEventBus {
  private readonly rules = new Map<string, BusRule & { matches?: (event: unknown) => boolean }>();
  private readonly pending = new Map<string, Delivery>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly dir: string | undefined;
  private closed = false;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly log: (message: string) => void;
  private readonly listeners = new Set<(bus: string, event: BusEvent) => void>();

  constructor(private readonly options: LocalEventBusOptions) {
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.log = options.log ?? (() => undefined);
    if (options.dataDir) {
      this.dir = path.join(options.dataDir, 'eventbridge');
      fs.mkdirSync(this.dir, { recursive: true });
    }
  }

  get buses(): string[] {
    return this.options.buses;
  }

  addRule(rule: BusRule): void {
    if (!this.options.buses.includes(rule.eventBus)) throw new Error(`Rule ${rule.name} targets unknown event bus ${rule.eventBus}`);
    this.rules.set(rule.name, { ...rule, ...(rule.pattern ? { matches: compileEventPattern(rule.pattern) } : {}) });
  }

  ruleNames(): string[] {
    return [...this.rules.keys()];
  }

  /** Called with every event accepted on a bus (after archiving). */
  onEvent(listener: (bus: string, event: BusEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-queues the deliveries that were pending when the process last stopped. */
  resumePendingDeliveries(): number {
    if (!this.dir) return 0;
    const file = path.join(this.dir, 'deliveries.jsonl');
    if (!fs.existsSync(file)) return 0;
    const open = new Map<string, Delivery>();
    for (const entry of readJournal<JournalEntry>(file)) {
      if (entry.kind === 'pending') open.set(entry.delivery.deliveryId, entry.delivery);
      else open.delete(entry.deliveryId);
    }
    // Compact the journal to what is still open.
    fs.writeFileSync(file, [...open.values()].map((d) => JSON.stringify({ kind: 'pending', delivery: d }) + '\n').join(''));
    for (const delivery of open.values()) {
      if (this.rules.has(delivery.rule)) this.schedule(delivery, 0);
      else this.log(`dropping a pending delivery to removed rule ${delivery.rule}`);
    }
    return open.size;
  }

  /** PutEvents from a customer: `aws.*` sources are refused as EventBridge does. */
  putEvents(entries: PutEventsEntry[]): PutEventsResult[] {
    return entries.map((entry) => {
      if (entry.Source?.startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
      return this.accept(entry);
    });
  }

  /** Events of AWS services (the DRS simulator, the scheduler) on the account's default bus. */
  putAwsEvent(event: Omit<BusEvent, 'version' | 'account' | 'region' | 'id' | 'time'> & Partial<Pick<BusEvent, 'account' | 'region' | 'id' | 'time'>>): BusEvent {
    const full: BusEvent = { version: '0', id: event.id ?? randomUUID(), account: event.account ?? this.options.accountId, region: event.region ?? this.options.region, time: event.time ?? isoSeconds(new Date()), 'detail-type': event['detail-type'], source: event.source, resources: event.resources, detail: event.detail };
    this.dispatch('default', full);
    return full;
  }

  /** Delivers an event straight to one rule's target (schedules), with the rule's retries. */
  fire(ruleName: string, event: BusEvent): void {
    const rule = this.rules.get(ruleName);
    if (!rule) throw new Error(`Unknown rule ${ruleName}`);
    this.enqueue(rule.name, event);
  }

  /** Events archived on a bus, oldest first (the archive is kept as JSON lines). */
  readArchive(bus: string): BusEvent[] {
    if (!this.dir) return [];
    const file = this.archiveFile(bus);
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as BusEvent);
  }

  /** Replays archived events of a time window to the bus's rules, as an EventBridge replay does. */
  replay(bus: string, replayName: string, from: Date, to: Date): number {
    const events = this.readArchive(bus).filter((e) => !e['replay-name'] && Date.parse(e.time) >= from.getTime() && Date.parse(e.time) <= to.getTime());
    for (const event of events) this.route(bus, { ...event, 'replay-name': replayName });
    return events.length;
  }

  /** Resolves when no delivery is pending or running (for tests and shutdown). */
  async idle(timeoutMs = 10_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.pending.size === 0 && this.inFlight.size === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  private accept(entry: PutEventsEntry): PutEventsResult {
    const bus = busNameOf(entry.EventBusName);
    if (!this.options.buses.includes(bus)) return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameters Source, DetailType and Detail are required.' };
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (!detail || typeof detail !== 'object' || Array.isArray(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
    const size = Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail) + (entry.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0) + (entry.Time ? 14 : 0);
    if (size > MAX_ENTRY_BYTES) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Event is larger than 256 KB.' };
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.options.accountId,
      time: isoSeconds(entry.Time === undefined ? new Date() : toDate(entry.Time)),
      region: this.options.region,
      resources: entry.Resources ?? [],
      detail,
    };
    this.dispatch(bus, event);
    return { EventId: event.id };
  }

  private dispatch(bus: string, event: BusEvent): void {
    if (this.dir) fs.appendFileSync(this.archiveFile(bus), JSON.stringify(event) + '\n');
    this.route(bus, event);
    for (const listener of this.listeners) listener(bus, event);
  }

  private route(bus: string, event: BusEvent): void {
    for (const rule of this.rules.values()) {
      if (rule.eventBus === bus && rule.matches?.(event)) this.enqueue(rule.name, event);
    }
  }

  private enqueue(rule: string, event: BusEvent): void {
    const delivery: Delivery = { deliveryId: randomUUID(), rule, event, attempt: 0, firstAttemptAt: Date.now() };
    this.journal({ kind: 'pending', delivery });
    this.schedule(delivery, 0);
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    if (this.closed) return;
    this.pending.set(delivery.deliveryId, delivery);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.attempt(delivery).finally(() => this.inFlight.delete(run));
      this.inFlight.add(run);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const rule = this.rules.get(delivery.rule);
    if (!rule) return;
    delivery.attempt++;
    try {
      await rule.target(delivery.event);
      this.pending.delete(delivery.deliveryId);
      this.journal({ kind: 'done', deliveryId: delivery.deliveryId });
    } catch (error) {
      if (this.closed) return; // stays pending in the journal: resumed at the next start
      const retries = delivery.attempt - 1;
      const tooOld = Date.now() - delivery.firstAttemptAt > rule.maximumEventAgeSeconds * 1000;
      if (retries >= rule.maximumRetryAttempts || tooOld) {
        this.pending.delete(delivery.deliveryId);
        this.deadLetter(rule.name, delivery, error);
        return;
      }
      const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** retries) * (0.75 + Math.random() * 0.5);
      this.log(`${rule.name}: attempt ${delivery.attempt} failed (${errorText(error)}); retrying in ${Math.round(delay)} ms`);
      this.schedule(delivery, delay);
    }
  }

  private deadLetter(rule: string, delivery: Delivery, error: unknown): void {
    this.log(`${rule}: giving up after ${delivery.attempt} attempts (${errorText(error)}); the event is in the dead-letter file`);
    this.journal({ kind: 'dead', deliveryId: delivery.deliveryId });
    if (this.dir) {
      fs.appendFileSync(path.join(this.dir, 'dead-letters.jsonl'), JSON.stringify({ rule, attempts: delivery.attempt, error: errorText(error), failedAt: new Date().toISOString(), event: delivery.event }) + '\n');
    }
  }

  /** Dead letters written so far. */
  readDeadLetters(): { rule: string; attempts: number; error: string; event: BusEvent }[] {
    if (!this.dir) return [];
    const file = path.join(this.dir, 'dead-letters.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as { rule: string; attempts: number; error: string; event: BusEvent });
  }

  private journal(entry: JournalEntry): void {
    if (this.dir) fs.appendFileSync(path.join(this.dir, 'deliveries.jsonl'), JSON.stringify(entry) + '\n');
  }

  private archiveFile(bus: string): string {
    return path.join(this.dir ?? '.', `${bus}.archive.jsonl`);
  }
}

function busNameOf(value: string | undefined): string {
  if (!value) return 'default';
  return value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
}

function toDate(value: number | string | Date): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value * 1000);
  return new Date(value);
}

/** EventBridge's `time` has no milliseconds. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
