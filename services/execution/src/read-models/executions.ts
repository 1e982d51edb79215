import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionView } from '@lifeboat/service-api';
import type { ExecutionListPage, ExecutionQuery, ListPosition } from './execution-query.js';
import { executionMatches, newestFirst } from './execution-query.js';

/** The execution list read model (table lifeboat-execution-executions-<stage>). */
export interface ExecutionList {
  /** Stores the view unless a view of the same or a later version is stored; true when written. */
  save(view: ExecutionView): Promise<boolean>;
  /**
   * Newest first, the executions matching `query.filter` after `query.after`: at most `limit`,
   * possibly fewer even when more follow (`next` says where to go on from; null at the end).
   */
  list(query: ExecutionQuery): Promise<ExecutionListPage>;
}

/** Index of the executions table: every item under one partition, sorted by startedAt. */
export const BY_STARTED_AT_INDEX = 'byStartedAt';
const KIND = 'EXECUTION';
/** Items evaluated per Query when a filter may leave most of them out (DynamoDB also stops at 1 MB). */
const FILTERED_BATCH = 200;
/** Queries one page may take: past them, a shorter page says where to go on. */
const MAX_QUERIES_PER_PAGE = 10;

type Item = Record<string, unknown>;

function itemViewOf(view: ExecutionView): { view: ExecutionView; withoutServers?: true } {
  const listed = listedView(view);
  return listed.withoutServers ? { view: listed.view, withoutServers: true } : { view: listed.view };
}

/** Below DynamoDB's 400 KB per item, with room for the key and index attributes. */
const MAX_LISTED_VIEW_BYTES = 350 * 1024;

/** Statuses after which an execution's view no longer changes (but for its drill cleanup). */
export const FINISHED_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** The view with its waves but not their servers. */
export function withoutServersOf(view: ExecutionView): ExecutionView {
  return { ...view, waves: view.waves.map((wave) => ({ ...wave, servers: [] })) };
}

/**
 * The view as the list keeps it: whole, or without its servers (`withoutServers`) while the
 * execution runs (its servers change with nearly every commit, and listExecutions answers a live
 * execution from its stream anyway) and when it is too large for one item (thousands of servers
 * with their checks). The list's filters and order need only the execution's own fields; readers
 * load a view kept without servers whole from the stream.
 */
export function listedView(view: ExecutionView): { view: ExecutionView; withoutServers: boolean } {
  if (FINISHED_STATUSES.has(view.status) && Buffer.byteLength(JSON.stringify(view)) <= MAX_LISTED_VIEW_BYTES) return { view, withoutServers: false };
  return { view: withoutServersOf(view), withoutServers: true };
}

/**
 * What the list holds of a live execution, as text (its own fields and waves, not its version nor
 * its servers): a commit that leaves it unchanged need not be saved. Undefined for a finished
 * execution, which is saved whole once.
 */
export function liveListingKey(view: ExecutionView): string | undefined {
  return FINISHED_STATUSES.has(view.status) ? undefined : JSON.stringify({ ...withoutServersOf(view), version: 0 });
}

/**
 * One item per execution (key executionId) holding the projected view, plus `kind` and
 * `startedAt` for the newest-first index.
 */
export class DynamoDbExecutionList implements ExecutionList {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    private readonly tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async save(view: ExecutionView): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { executionId: view.executionId, kind: KIND, startedAt: view.startedAt, version: view.version, ...itemViewOf(view) },
          ConditionExpression: 'attribute_not_exists(executionId) OR version < :version',
          ExpressionAttributeValues: { ':version': view.version },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }

  /**
   * Queries the byStartedAt index newest first, from the page's position: the start times in the
   * key condition, the other filters on the item's view (FilterExpression), so a page reads the
   * executions it answers and the ones the filter leaves out between them, never the whole table.
   */
  async list(query: ExecutionQuery): Promise<ExecutionListPage> {
    const { filter } = query;
    const names: Record<string, string> = { '#kind': 'kind' };
    const values: Record<string, unknown> = { ':kind': KIND };
    let keyCondition = '#kind = :kind';
    if (filter.startedAfter !== undefined || filter.startedBefore !== undefined) {
      names['#startedAt'] = 'startedAt';
      // BETWEEN includes startedBefore itself: left out below (it is "started before").
      if (filter.startedAfter !== undefined && filter.startedBefore !== undefined) {
        keyCondition += ' AND #startedAt BETWEEN :after AND :before';
        Object.assign(values, { ':after': filter.startedAfter, ':before': filter.startedBefore });
      } else if (filter.startedAfter !== undefined) {
        keyCondition += ' AND #startedAt >= :after';
        values[':after'] = filter.startedAfter;
      } else {
        keyCondition += ' AND #startedAt < :before';
        values[':before'] = filter.startedBefore;
      }
    }
    const conditions: string[] = [];
    const onView = (field: string) => {
      names['#view'] = 'view';
      names[`#${field}`] = field;
      return `#view.#${field}`;
    };
    if (filter.planId !== undefined) {
      conditions.push(`${onView('planId')} = :planId`);
      values[':planId'] = filter.planId;
    }
    if (filter.mode !== undefined) {
      conditions.push(`${onView('mode')} = :mode`);
      values[':mode'] = filter.mode;
    }
    if (filter.statuses !== undefined) {
      const placeholders = filter.statuses.map((status, i) => {
        values[`:status${i}`] = status;
        return `:status${i}`;
      });
      conditions.push(`${onView('status')} IN (${placeholders.join(', ')})`);
    }
    const filtered = conditions.length > 0;

    const items: ExecutionView[] = [];
    const withoutServers: string[] = [];
    let startKey: Item | undefined = query.after ? { executionId: query.after.executionId, kind: KIND, startedAt: query.after.startedAt } : undefined;
    for (let queries = 0; queries < MAX_QUERIES_PER_PAGE; queries++) {
      const wanted = query.limit - items.length;
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: BY_STARTED_AT_INDEX,
          KeyConditionExpression: keyCondition,
          ...(filtered ? { FilterExpression: conditions.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          // One more than needed: whether another follows is known without a further read.
          Limit: filtered ? Math.max(wanted + 1, FILTERED_BATCH) : wanted + 1,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const view = item.view as ExecutionView;
        if (filter.startedBefore !== undefined && view.startedAt >= filter.startedBefore) continue;
        items.push(view);
        if (item.withoutServers === true) withoutServers.push(view.executionId);
      }
      startKey = page.LastEvaluatedKey;
      if (items.length > query.limit) {
        const answered = items.slice(0, query.limit);
        return { items: answered, next: positionOf(answered[answered.length - 1] as ExecutionView), withoutServers };
      }
      if (!startKey) return { items, next: null, withoutServers };
      if (items.length === query.limit) break;
    }
    // Full, or out of queries: go on from the last item read (answered or left out by the filter).
    const last = startKey as Item;
    return { items, next: { startedAt: String(last.startedAt), executionId: String(last.executionId) }, withoutServers };
  }
}

function positionOf(view: ExecutionView): ListPosition {
  return { startedAt: view.startedAt, executionId: view.executionId };
}

export class InMemoryExecutionList implements ExecutionList {
  /** As the table keeps them (listedView): a live or too large execution without its servers. */
  private readonly views = new Map<string, { view: ExecutionView; withoutServers: boolean }>();

  async save(view: ExecutionView): Promise<boolean> {
    const stored = this.views.get(view.executionId);
    if (stored && stored.view.version >= view.version) return false;
    const listed = listedView(view);
    this.views.set(view.executionId, { view: structuredClone(listed.view), withoutServers: listed.withoutServers });
    return true;
  }

  async list(query: ExecutionQuery): Promise<ExecutionListPage> {
    const after = query.after;
    const matching = [...this.views.values()]
      .filter(({ view }) => executionMatches(view, query.filter) && (!after || newestFirst(positionOf(view), after) > 0))
      .sort((a, b) => newestFirst(positionOf(a.view), positionOf(b.view)));
    const page = matching.slice(0, query.limit);
    const items = page.map(({ view }) => structuredClone(view));
    const last = items[items.length - 1];
    return { items, next: matching.length > query.limit && last ? positionOf(last) : null, withoutServers: page.filter((e) => e.withoutServers).map((e) => e.view.executionId) };
  }
}
