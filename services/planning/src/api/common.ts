import type { Actor } from '@lifeboat/events';
import { createEvent, newEventId, validateEventDetail } from '@lifeboat/events';
import type { Caller, FieldProblem, ServerVerificationOverride, VerificationSettings } from '@lifeboat/service-api';
import { ConflictError, ValidationError } from '@lifeboat/service-api';
import type { LaunchSyncTask } from '../domain/launch-settings.js';
import type { ProtectionGroup } from '../domain/protection-group.js';
import type { InventoryStore, OutboxEntry, PlanningStore, Write } from '../ports.js';
import { StaleWriteError } from '../ports.js';

export interface PlanningApiDeps {
  store: PlanningStore;
  inventory: InventoryStore;
  now?: () => Date;
  /** A new unique id with this prefix (`pg`, `plan`, `wave`). */
  newId: (prefix: string) => string;
  /** A new UUID (DRS launch action ids). */
  newUuid?: () => string;
}

/** DynamoDB TransactWriteItems takes at most 100 items. */
export const MAX_WRITES_PER_COMMIT = 100;
/** How often a command that lost a race without the caller's expectation is computed again. */
export const MAX_COMMAND_ATTEMPTS = 3;

/** Who caused an event, from the caller of an API operation. */
export function actorOf(caller: Caller): Actor {
  return { type: caller.userId.startsWith('service:') ? 'service' : 'user', id: caller.userId, name: caller.username };
}

/** The data of ProtectionGroupCreated / ProtectionGroupUpdated (events/schemas). */
export function groupEventData(group: ProtectionGroup): {
  protectionGroupId: string;
  name: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  revision: number;
  verification?: VerificationSettings;
  serverVerificationOverrides?: ServerVerificationOverride[];
} {
  return {
    protectionGroupId: group.protectionGroupId,
    name: group.name,
    accountId: group.accountId,
    region: group.region,
    sourceServerIds: [...group.sourceServerIds],
    revision: group.revision,
    // Verification settings only when the group has some (a reader takes absent as the defaults).
    ...(Object.keys(group.verification).length > 0 ? { verification: structuredClone(group.verification) } : {}),
    ...(group.serverVerificationOverrides.length > 0 ? { serverVerificationOverrides: structuredClone(group.serverVerificationOverrides) } : {}),
  };
}

/** An outbox entry for a Lifeboat event, checked against its schema now (the outbox never holds a bad one). */
export function eventWrite(type: string, data: unknown, context: { correlationId: string; actor: Actor; occurredAt: string; causationId?: string }): Write {
  const event = createEvent(type, data, context);
  validateEventDetail(type, { metadata: event.metadata, data: event.data });
  const entry: OutboxEntry = { outboxId: event.metadata.eventId, kind: 'event', event };
  return { type: 'outbox', entry };
}

/** An outbox entry for the launch-settings applier. */
export function launchTaskWrite(task: LaunchSyncTask, at: Date): Write {
  return { type: 'outbox', entry: { outboxId: `launch-${newEventId(at)}`, kind: 'launch-sync', task } };
}

/** Refuses a change too large for one transaction, naming what makes it large. */
export function assertFitsOneCommit(writes: readonly Write[], field: string, what: string): void {
  if (writes.length > MAX_WRITES_PER_COMMIT) {
    throw new ValidationError([{ field, message: `${what} needs ${writes.length} writes, and one change is written atomically in at most ${MAX_WRITES_PER_COMMIT}: make it smaller` }]);
  }
}

/**
 * Runs a command; when its commit lost a race (StaleWriteError) and the caller did not state what
 * they expected (`expected` undefined), computes it again from fresh reads; otherwise answers
 * CONFLICT.
 */
export async function withRetryOnStale<T>(expected: number | undefined, what: string, command: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await command();
    } catch (error) {
      if (!(error instanceof StaleWriteError)) throw error;
      if (expected !== undefined || attempt >= MAX_COMMAND_ATTEMPTS) throw new ConflictError(`${what} changed meanwhile: read it again and retry (${error.message})`, undefined, { cause: error });
    }
  }
}

/** Problems of a nested definition, moved under `prefix` (an import's document). */
export function prefixed(problems: readonly FieldProblem[], place: (field: string) => string): FieldProblem[] {
  return problems.map((p) => ({ field: place(p.field), message: p.message }));
}

/** A string id in an input, or a ValidationError naming the field. */
export function requiredId(input: unknown, field: string, pattern: RegExp, what: string): string {
  const value = input && typeof input === 'object' ? (input as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string' || value === '') throw new ValidationError([{ field, message: 'is required' }]);
  if (!pattern.test(value)) throw new ValidationError([{ field, message: `is not ${what}` }]);
  return value;
}

/** Most ids one batch read takes. */
export const MAX_BATCH_IDS = 100;

/** A list of 1..MAX_BATCH_IDS ids of an input, repeats dropped, or a ValidationError naming each bad one. */
export function parseIdList(input: unknown, field: string, pattern: RegExp, what: string): string[] {
  const value = input && typeof input === 'object' ? (input as Record<string, unknown>)[field] : undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BATCH_IDS) throw new ValidationError([{ field, message: `must be a list of 1 to ${MAX_BATCH_IDS} ids` }]);
  const problems: FieldProblem[] = [];
  value.forEach((id: unknown, i) => {
    if (typeof id !== 'string' || !pattern.test(id)) problems.push({ field: `${field}[${i}]`, message: `is not ${what}` });
  });
  if (problems.length > 0) throw new ValidationError(problems);
  return [...new Set(value as string[])];
}

/** An optional positive integer of an input (a revision or version), or a ValidationError. */
export function optionalPositive(input: unknown, field: string): number | undefined {
  const value = input && typeof input === 'object' ? (input as Record<string, unknown>)[field] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new ValidationError([{ field, message: 'must be a positive integer' }]);
  return value;
}

/** The input without the fields of the command's envelope (ids, expectations, flags). */
export function withoutFields(input: unknown, fields: readonly string[]): unknown {
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  return Object.fromEntries(Object.entries(input).filter(([key]) => !fields.includes(key)));
}
