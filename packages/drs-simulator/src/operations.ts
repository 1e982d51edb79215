/**
 * The DRS operations the simulator answers: their HTTP binding (from the model) and the reading
 * and validation of their input. Adding an operation = adding an entry here and a method on the
 * simulator.
 */
import { validationError } from './errors.js';
import { LAUNCH_ACTION_CATEGORIES, type LaunchActionParameters, type TagsMap } from './model.js';
import type { CallerContext, DrsSimulator } from './simulator.js';
import { InputReader, SHAPES } from './validation.js';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PUT';

export interface OperationDefinition {
  name: string;
  method: HttpMethod;
  /** The request URI from the model; `{label}` binds one path segment to an input member. */
  path: string;
  /**
   * Query parameters bound to input members, read as lists of strings (`getAll`). An operation
   * whose model binds scalars to the query string (ListStagingAccounts' maxResults and nextToken)
   * lists them here too and takes the last value.
   */
  queryLists?: string[];
  successCode: number;
  /** Validates the raw input and runs the operation; returns the JSON output (undefined: empty body). */
  run(simulator: DrsSimulator, ctx: CallerContext, input: Record<string, unknown>): unknown;
}

/** maxResults and nextToken; `max` where the model bounds maxResults (StrictlyPositiveInteger has only a minimum of 1). */
const paging = (r: InputReader, input: Record<string, unknown>, max?: number) => ({
  maxResults: r.integer(input.maxResults, 'maxResults', 1, max),
  nextToken: r.string(input.nextToken, 'nextToken', SHAPES.PaginationToken),
});

const required = (name: string) => validationError([{ name, message: 'Member must not be null' }]);

function readParameters(r: InputReader, value: unknown, name: string): LaunchActionParameters | undefined {
  const obj = r.object(value, name);
  if (!obj) return undefined;
  const entries = Object.entries(obj);
  if (entries.length > 20) r.fail(name, 'Value failed to satisfy constraint: Member must have length less than or equal to 20');
  const out: LaunchActionParameters = {};
  for (const [key, raw] of entries) {
    r.string(key, `${name}.key`, SHAPES.LaunchActionParameterName, true);
    const p = r.object(raw, `${name}.${key}`, true);
    if (!p) continue;
    const value = r.string(p.value, `${name}.${key}.value`, SHAPES.LaunchActionParameterValue);
    const type = r.enumValue(p.type, `${name}.${key}.type`, ['SSM_STORE', 'DYNAMIC'] as const);
    out[key] = { ...(value !== undefined ? { value } : {}), ...(type ? { type } : {}) };
  }
  return out;
}

function recoveryInstanceOnly(input: Record<string, unknown>): string {
  const r = new InputReader();
  const id = r.string(input.recoveryInstanceID, 'recoveryInstanceID', SHAPES.RecoveryInstanceID, true);
  r.check();
  if (!id) throw required('recoveryInstanceID');
  return id;
}

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
    name: 'DescribeJobLogItems',
    method: 'POST',
    path: '/DescribeJobLogItems',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const jobID = r.string(input.jobID, 'jobID', SHAPES.JobID, true);
      const page = paging(r, input);
      r.check();
      if (!jobID) throw required('jobID');
      return sim.describeJobLogItems(ctx, { jobID, ...page });
    },
  },
  {
    name: 'DescribeRecoverySnapshots',
    method: 'POST',
    path: '/DescribeRecoverySnapshots',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const sourceServerID = r.string(input.sourceServerID, 'sourceServerID', SHAPES.SourceServerID, true);
      const f = r.object(input.filters, 'filters');
      const filters = f && {
        fromDateTime: r.string(f.fromDateTime, 'filters.fromDateTime', SHAPES.ISO8601DatetimeString),
        toDateTime: r.string(f.toDateTime, 'filters.toDateTime', SHAPES.ISO8601DatetimeString),
      };
      const order = r.enumValue(input.order, 'order', ['ASC', 'DESC'] as const);
      const page = paging(r, input);
      r.check();
      if (!sourceServerID) throw required('sourceServerID');
      return sim.describeRecoverySnapshots(ctx, { sourceServerID, ...(filters ? { filters } : {}), ...(order ? { order } : {}), ...page });
    },
  },
  {
    name: 'GetLaunchConfiguration',
    method: 'POST',
    path: '/GetLaunchConfiguration',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const sourceServerID = r.string(input.sourceServerID, 'sourceServerID', SHAPES.SourceServerID, true);
      r.check();
      if (!sourceServerID) throw required('sourceServerID');
      return sim.getLaunchConfiguration(ctx, sourceServerID);
    },
  },
  {
    name: 'UpdateLaunchConfiguration',
    method: 'POST',
    path: '/UpdateLaunchConfiguration',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const sourceServerID = r.string(input.sourceServerID, 'sourceServerID', SHAPES.SourceServerID, true);
      const name = r.string(input.name, 'name', SHAPES.SmallBoundedString);
      const launchDisposition = r.enumValue(input.launchDisposition, 'launchDisposition', ['STOPPED', 'STARTED'] as const);
      const rightSizing = r.enumValue(input.targetInstanceTypeRightSizingMethod, 'targetInstanceTypeRightSizingMethod', ['NONE', 'BASIC', 'IN_AWS'] as const);
      const copyPrivateIp = r.boolean(input.copyPrivateIp, 'copyPrivateIp');
      const copyTags = r.boolean(input.copyTags, 'copyTags');
      const licensingObj = r.object(input.licensing, 'licensing');
      const osByol = licensingObj ? r.boolean(licensingObj.osByol, 'licensing.osByol') : undefined;
      const postLaunchEnabled = r.boolean(input.postLaunchEnabled, 'postLaunchEnabled');
      const into = r.object(input.launchIntoInstanceProperties, 'launchIntoInstanceProperties');
      const launchIntoEC2InstanceID = into ? r.string(into.launchIntoEC2InstanceID, 'launchIntoInstanceProperties.launchIntoEC2InstanceID', SHAPES.EC2InstanceID) : undefined;
      r.check();
      if (!sourceServerID) throw required('sourceServerID');
      return sim.updateLaunchConfiguration(ctx, {
        sourceServerID,
        ...(name !== undefined ? { name } : {}),
        ...(launchDisposition ? { launchDisposition } : {}),
        ...(rightSizing ? { targetInstanceTypeRightSizingMethod: rightSizing } : {}),
        ...(copyPrivateIp !== undefined ? { copyPrivateIp } : {}),
        ...(copyTags !== undefined ? { copyTags } : {}),
        ...(licensingObj ? { licensing: osByol !== undefined ? { osByol } : {} } : {}),
        ...(postLaunchEnabled !== undefined ? { postLaunchEnabled } : {}),
        ...(into ? { launchIntoInstanceProperties: launchIntoEC2InstanceID ? { launchIntoEC2InstanceID } : {} } : {}),
      });
    },
  },
  {
    name: 'PutLaunchAction',
    method: 'POST',
    path: '/PutLaunchAction',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const resourceId = r.string(input.resourceId, 'resourceId', SHAPES.LaunchActionResourceId, true);
      const actionCode = r.string(input.actionCode, 'actionCode', SHAPES.SsmDocumentName, true);
      const order = input.order === undefined || input.order === null ? r.fail('order', 'Member must not be null') : r.integer(input.order, 'order', 2, 10000);
      const actionId = r.string(input.actionId, 'actionId', SHAPES.LaunchActionId, true);
      const optional = r.booleanRequired(input.optional, 'optional');
      const active = r.booleanRequired(input.active, 'active');
      const name = r.string(input.name, 'name', SHAPES.LaunchActionName, true);
      const actionVersion = r.string(input.actionVersion, 'actionVersion', SHAPES.LaunchActionVersion, true);
      const category = r.enumValue(input.category, 'category', LAUNCH_ACTION_CATEGORIES, true);
      const parameters = readParameters(r, input.parameters, 'parameters');
      const description = r.string(input.description, 'description', SHAPES.LaunchActionDescription, true);
      r.check();
      if (resourceId === undefined || actionCode === undefined || order === undefined || actionId === undefined || optional === undefined
        || active === undefined || name === undefined || actionVersion === undefined || category === undefined || description === undefined) {
        throw validationError([{ name: 'input', message: 'A required member is missing' }]);
      }
      return sim.putLaunchAction(ctx, {
        resourceId, actionCode, order, actionId, optional, active, name, actionVersion, category, description,
        ...(parameters ? { parameters } : {}),
      });
    },
  },
  {
    name: 'ListLaunchActions',
    method: 'POST',
    path: '/ListLaunchActions',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const resourceId = r.string(input.resourceId, 'resourceId', SHAPES.LaunchActionResourceId, true);
      const f = r.object(input.filters, 'filters');
      const actionIds = f ? r.stringList(f.actionIds, 'filters.actionIds', { min: 0, max: 100 }, SHAPES.LaunchActionId) : undefined;
      const page = paging(r, input, 1000);
      r.check();
      if (!resourceId) throw required('resourceId');
      return sim.listLaunchActions(ctx, { resourceId, ...(f ? { filters: actionIds ? { actionIds } : {} } : {}), ...page });
    },
  },
  {
    name: 'DeleteLaunchAction',
    method: 'POST',
    path: '/DeleteLaunchAction',
    successCode: 204,
    run(sim, ctx, input) {
      const r = new InputReader();
      const resourceId = r.string(input.resourceId, 'resourceId', SHAPES.LaunchActionResourceId, true);
      const actionId = r.string(input.actionId, 'actionId', SHAPES.LaunchActionId, true);
      r.check();
      if (!resourceId || !actionId) throw required(resourceId ? 'actionId' : 'resourceId');
      sim.deleteLaunchAction(ctx, resourceId, actionId);
      return undefined;
    },
  },
  {
    name: 'StartFailbackLaunch',
    method: 'POST',
    path: '/StartFailbackLaunch',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const recoveryInstanceIDs = r.stringList(input.recoveryInstanceIDs, 'recoveryInstanceIDs', { min: 1, max: 200 }, SHAPES.RecoveryInstanceID, true);
      const tags = readTags(r, input.tags, 'tags');
      r.check();
      if (!recoveryInstanceIDs) throw required('recoveryInstanceIDs');
      return { job: sim.startFailbackLaunch(ctx, { recoveryInstanceIDs, ...(tags ? { tags } : {}) }) };
    },
  },
  {
    name: 'ReverseReplication',
    method: 'POST',
    path: '/ReverseReplication',
    successCode: 200,
    run(sim, ctx, input) {
      return sim.reverseReplication(ctx, recoveryInstanceOnly(input));
    },
  },
  {
    name: 'StopFailback',
    method: 'POST',
    path: '/StopFailback',
    successCode: 200,
    run(sim, ctx, input) {
      sim.stopFailback(ctx, recoveryInstanceOnly(input));
      return undefined;
    },
  },
  {
    name: 'DisconnectRecoveryInstance',
    method: 'POST',
    path: '/DisconnectRecoveryInstance',
    successCode: 200,
    run(sim, ctx, input) {
      sim.disconnectRecoveryInstance(ctx, recoveryInstanceOnly(input));
      return undefined;
    },
  },
  {
    name: 'ListStagingAccounts',
    method: 'GET',
    path: '/ListStagingAccounts',
    queryLists: ['maxResults', 'nextToken'],
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const maxResults = r.queryInteger(input.maxResults, 'maxResults', 1, 50);
      const nextToken = r.queryString(input.nextToken, 'nextToken', SHAPES.PaginationToken);
      r.check();
      return sim.listStagingAccounts(ctx, { ...(maxResults !== undefined ? { maxResults } : {}), ...(nextToken ? { nextToken } : {}) });
    },
  },
  {
    name: 'ListExtensibleSourceServers',
    method: 'POST',
    path: '/ListExtensibleSourceServers',
    successCode: 200,
    run(sim, ctx, input) {
      const r = new InputReader();
      const stagingAccountID = r.string(input.stagingAccountID, 'stagingAccountID', SHAPES.AccountID, true);
      const page = paging(r, input, 300);
      r.check();
      if (!stagingAccountID) throw required('stagingAccountID');
      return sim.listExtensibleSourceServers(ctx, { stagingAccountID, ...page });
    },
  },
  {
    name: 'CreateExtendedSourceServer',
    method: 'POST',
    path: '/CreateExtendedSourceServer',
    successCode: 201,
    run(sim, ctx, input) {
      const r = new InputReader();
      const sourceServerArn = r.string(input.sourceServerArn, 'sourceServerArn', SHAPES.SourceServerARN, true);
      const tags: TagsMap | undefined = readTags(r, input.tags, 'tags');
      r.check();
      if (!sourceServerArn) throw required('sourceServerArn');
      return { sourceServer: sim.createExtendedSourceServer(ctx, { sourceServerArn, ...(tags ? { tags } : {}) }) };
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
