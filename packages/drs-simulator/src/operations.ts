/**
 * The DRS operations the simulator answers: their HTTP binding (from the model) and the reading
 * and validation of their input. Adding an operation = adding an entry here and a method on the
 * simulator.
 */
import { validationError } from './errors.js';
import type { CallerContext, DrsSimulator } from './simulator.js';
import { InputReader, SHAPES } from './validation.js';
import { MAX_PAGE_SIZE } from './paging.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PUT';

export interface OperationDefinition {
  name: string;
  method: HttpMethod;
  /** The request URI from the model; `{label}` binds one path segment to an input member. */
  path: string;
  /** Query parameters bound to input members (all lists here). */
  queryLists?: string[];
  successCode: number;
  /** Validates the raw input and runs the operation; returns the JSON output (undefined: empty body). */
  run(simulator: DrsSimulator, ctx: CallerContext, input: Record<string, unknown>): unknown;
}

const paging = (r: InputReader, input: Record<string, unknown>) => ({
  maxResults: r.integer(input.maxResults, 'maxResults', 1, MAX_PAGE_SIZE),
  nextToken: r.string(input.nextToken, 'nextToken', SHAPES.PaginationToken),
});

function readTags(r: InputReader, value: unknown, name: string, required = false) {
  const tags = r.tags(value, name, required);
  for (const key of Object.keys(tags ?? {})) {
    if (key.toLowerCase().startsWith('aws:')) r.fail(`${name}.${key}`, 'Tag keys beginning with aws: are reserved');
  }
  return tags;
}

export const OPERATIONS: readonly OperationDefinition[] = [
  {
    name: 'DescribeSourceServers',
    method: 'POST',
    path: '/DescribeSourceServers',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const f = r.object(input.filters, 'filters');
      const filters = f && {
        sourceServerIDs: r.stringList(f.sourceServerIDs, 'filters.sourceServerIDs', { min: 0, max: 200 }, SHAPES.SourceServerID),
        hardwareId: r.string(f.hardwareId, 'filters.hardwareId', SHAPES.BoundedString),
        stagingAccountIDs: r.stringList(f.stagingAccountIDs, 'filters.stagingAccountIDs', { min: 0, max: 200 }, SHAPES.AccountID),
      };
      const page = paging(r, input);
      r.check();
      return sim.describeSourceServers(ctx, { ...(filters ? { filters } : {}), ...page });
    },
  },
  {
    name: 'StartRecovery',
    method: 'POST',
    path: '/StartRecovery',
    successCode: 202,
    run(sim, ctx, input) {
      const r = new InputReader();
      const sourceServers = r.list(input.sourceServers, 'sourceServers', { min: 1, max: 200 }, (value, name) => {
        const o = r.object(value, name, true);
        if (!o) return undefined;
        const sourceServerID = r.string(o.sourceServerID, `${name}.sourceServerID`, SHAPES.SourceServerID, true);
        const recoverySnapshotID = r.string(o.recoverySnapshotID, `${name}.recoverySnapshotID`, SHAPES.RecoverySnapshotID);
        return sourceServerID === undefined ? undefined : { sourceServerID, ...(recoverySnapshotID ? { recoverySnapshotID } : {}) };
      }, true);
      const isDrill = r.boolean(input.isDrill, 'isDrill');
      const tags = readTags(r, input.tags, 'tags');
      r.check();
      if (!sourceServers) throw validationError([{ name: 'sourceServers', message: 'Member must not be null' }]);
      return { job: sim.startRecovery(ctx, { sourceServers, ...(isDrill !== undefined ? { isDrill } : {}), ...(tags ? { tags } : {}) }) };
    },
  },
  {
    name: 'DescribeJobs',
    method: 'POST',
    path: '/DescribeJobs',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const f = r.object(input.filters, 'filters');
      const filters = f && {
        jobIDs: r.stringList(f.jobIDs, 'filters.jobIDs', { min: 0, max: 1000 }, SHAPES.JobID),
        fromDate: r.string(f.fromDate, 'filters.fromDate', SHAPES.ISO8601DatetimeString),
        toDate: r.string(f.toDate, 'filters.toDate', SHAPES.ISO8601DatetimeString),
      };
      const page = paging(r, input);
      r.check();
      return sim.describeJobs(ctx, { ...(filters ? { filters } : {}), ...page });
    },
  },
  {
    name: 'DescribeRecoveryInstances',
    method: 'POST',
    path: '/DescribeRecoveryInstances',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const f = r.object(input.filters, 'filters');
      const filters = f && {
        recoveryInstanceIDs: r.stringList(f.recoveryInstanceIDs, 'filters.recoveryInstanceIDs', { min: 0, max: 200 }, SHAPES.RecoveryInstanceID),
        sourceServerIDs: r.stringList(f.sourceServerIDs, 'filters.sourceServerIDs', {}, SHAPES.SourceServerID),
      };
      const page = paging(r, input);
      r.check();
      return sim.describeRecoveryInstances(ctx, { ...(filters ? { filters } : {}), ...page });
    },
  },
  {
    name: 'TerminateRecoveryInstances',
    method: 'POST',
    path: '/TerminateRecoveryInstances',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const recoveryInstanceIDs = r.stringList(input.recoveryInstanceIDs, 'recoveryInstanceIDs', { min: 1, max: 200 }, SHAPES.RecoveryInstanceID, true);
      r.check();
      if (!recoveryInstanceIDs) throw validationError([{ name: 'recoveryInstanceIDs', message: 'Member must not be null' }]);
      return { job: sim.terminateRecoveryInstances(ctx, { recoveryInstanceIDs }) };
    },
  },
  {
    name: 'ListTagsForResource',
    method: 'GET',
    path: '/tags/{resourceArn}',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const resourceArn = r.string(input.resourceArn, 'resourceArn', SHAPES.ARN, true);
      r.check();
      return { tags: sim.listTagsForResource(ctx, resourceArn ?? '') };
    },
  },
  {
    name: 'TagResource',
    method: 'POST',
    path: '/tags/{resourceArn}',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const resourceArn = r.string(input.resourceArn, 'resourceArn', SHAPES.ARN, true);
      const tags = readTags(r, input.tags, 'tags', true);
      r.check();
      sim.tagResource(ctx, resourceArn ?? '', tags ?? {});
      return undefined;
    },
  },
  {
    name: 'UntagResource',
    method: 'DELETE',
    path: '/tags/{resourceArn}',
    queryLists: ['tagKeys'],
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const resourceArn = r.string(input.resourceArn, 'resourceArn', SHAPES.ARN, true);
      const tagKeys = r.stringList(input.tagKeys, 'tagKeys', {}, SHAPES.TagKey, true);
      r.check();
      sim.untagResource(ctx, resourceArn ?? '', tagKeys ?? []);
      return undefined;
    },
  },
];

export function findOperation(name: string): OperationDefinition | undefined {
  return OPERATIONS.find((op) => op.name === name);
}

export interface RouteMatch {
  operation: OperationDefinition;
  labels: Record<string, string>;
}

/** Finds the operation bound to a method and path; path labels are percent-decoded. */
export function matchRoute(method: string, pathname: string): RouteMatch | undefined {
  const segments = pathname.split('/').slice(1);
  for (const operation of OPERATIONS) {
    if (operation.method !== method) continue;
    const pattern = operation.path.split('/').slice(1);
    if (pattern.length !== segments.length) continue;
    const labels: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i] ?? '';
      const s = segments[i] ?? '';
      if (p.startsWith('{') && p.endsWith('}')) {
        try {
          labels[p.slice(1, -1)] = decodeURIComponent(s);
        } catch {
          ok = false;
        }
        ok = ok && s.length > 0;
      } else {
        ok = p === s;
      }
    }
    if (ok) return { operation, labels };
  }
  return undefined;
}
