import type { FieldProblem } from '@lifeboat/service-api';
import { ValidationError, createApiHandler, operation } from '@lifeboat/service-api';
import type { NotificationOperations } from '../api.js';
import { outboxStore } from '../config.js';
import type { OutboxQuery } from '../outbox.js';

type ListOutbox = NotificationOperations['listOutbox'];

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;
const LIST_OUTBOX_FIELDS = new Set(['executionId', 'limit', 'nextToken']);

/** Every problem of a listOutbox input at once, or the query it asks for. */
function parseListOutbox(input: unknown): OutboxQuery {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ValidationError('input must be an object', 'input');
  const { executionId, limit, nextToken } = input as Record<string, unknown>;
  const problems: FieldProblem[] = Object.keys(input)
    .filter((field) => !LIST_OUTBOX_FIELDS.has(field))
    .map((field) => ({ field, message: 'is not an input of listOutbox' }));
  if (executionId !== undefined && (typeof executionId !== 'string' || executionId.length === 0)) problems.push({ field: 'executionId', message: 'must be a non-empty string' });
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)) problems.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
  if (nextToken !== undefined && (typeof nextToken !== 'string' || nextToken.length === 0)) problems.push({ field: 'nextToken', message: 'must be a non-empty string' });
  if (problems.length > 0) throw new ValidationError(problems);
  return { executionId: executionId as string | undefined, limit: (limit as number | undefined) ?? DEFAULT_LIMIT, nextToken: nextToken as string | undefined };
}

/** The API of the notification service (Lambda Invoke from the gateway and other services). */
export const handler = createApiHandler({
  listOutbox: operation<ListOutbox['input'], ListOutbox['result']>('read', async (input) => outboxStore().list(parseListOutbox(input))),
});
