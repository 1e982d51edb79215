/**
 * Systems Manager over awsJson1_1 (`POST /`, `X-Amz-Target: AmazonSSM.<Operation>`), for the
 * instances DRS launched: DescribeInstanceInformation, SendCommand, GetCommandInvocation and
 * ListCommandInvocations. What the agent and the commands do comes from the fleet's per-server
 * `ssm` script (agent online or not and when; each command's outcome, stdout and stderr).
 *
 * A command invocation is Pending for 1 s (simulated), InProgress for 5 s, then ends with the
 * script's status (Success by default); a TimedOut script ends after the document's
 * `executionTimeout` (default 3600 s). An instance whose agent has lost its connection leaves
 * the invocation Pending until the command's delivery timeout (`TimeoutSeconds`, default 3600 s),
 * then TimedOut with `DeliveryTimedOut`. Durations are simulated (scaled by the time scale);
 * timestamps are on the core's clock, like DRS's.
 */
import type { CallerIdentity } from '../accounts.js';
import type { JsonValue } from '../model.js';
import { SeededRandom } from '../random.js';
import {
  ProtocolError, decodePageToken, encodePageToken, globMatch, isRecord, pageOf, type SimClock,
} from './common.js';
import type { AgentView, InstanceCatalog, InstanceView } from './instances.js';

export const SSM_TARGET_PREFIX = 'AmazonSSM.';
export const SSM_OPERATIONS = ['DescribeInstanceInformation', 'SendCommand', 'GetCommandInvocation', 'ListCommandInvocations'] as const;

const PENDING_MS = 1_000;
const RUN_MS = 5_000;
const DEFAULT_TIMEOUT_SECONDS = 3600;
const DEFAULT_EXECUTION_TIMEOUT_SECONDS = 3600;
const AGENT_VERSION = '3.3.1142.0';
const INSTANCE_ID = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;
const DOCUMENT_NAME = /^[a-zA-Z0-9_\-.:/]{3,128}$/;
const DOCUMENT_VERSION = /^(\$LATEST|\$DEFAULT|[1-9][0-9]*)$/;
const MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
const MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

/** The AWS-owned command documents the simulator knows the parameters and plugin of. */
const KNOWN_DOCUMENTS: Readonly<Record<string, { plugin: string; platform: 'Linux' | 'Windows'; parameters: string[]; required: string[] }>> = {
  'AWS-RunShellScript': { plugin: 'aws:runShellScript', platform: 'Linux', parameters: ['commands', 'workingDirectory', 'executionTimeout'], required: ['commands'] },
  'AWS-RunPowerShellScript': { plugin: 'aws:runPowerShellScript', platform: 'Windows', parameters: ['commands', 'workingDirectory', 'executionTimeout'], required: ['commands'] },
};

export type InvocationStatus = 'Pending' | 'InProgress' | 'Success' | 'Cancelled' | 'TimedOut' | 'Failed';
type FinalStatus = 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

export interface SsmCall {
  identity: CallerIdentity;
  region: string;
  operation: string;
  input: Record<string, unknown>;
}

export interface InvocationRecord {
  instanceId: string;
  instanceName: string;
  plugin: string;
  reachable: boolean;
  outcome: FinalStatus;
  stdout: string;
  stderr: string;
}

export interface CommandRecord {
  commandId: string;
  accountId: string;
  region: string;
  documentName: string;
  documentVersion: string;
  comment: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  targets: { Key: string; Values: string[] }[];
  /** Real ms (the wire's timestamps) and simulated ms (durations) of SendCommand. */
  requestedMs: number;
  requestedSimMs: number;
  timeoutSeconds: number;
  executionTimeoutSeconds: number;
  maxConcurrency: string;
  maxErrors: string;
  outputS3BucketName: string;
  outputS3KeyPrefix: string;
  outputS3Region: string;
  serviceRoleArn: string;
  invocations: InvocationRecord[];
}

/** The state of one invocation at a moment: real instants for the wire, simulated ms for durations. */
interface InvocationState {
  status: InvocationStatus;
  statusDetails: string;
  responseCode: number;
  startMs?: number;
  endMs?: number;
  /** Simulated ms spent executing so far (or in all, once ended). */
  elapsedSimMs?: number;
  stdout: string;
  stderr: string;
}

const validation = (message: string) => new ProtocolError('ValidationException', message, 400);
const seconds = (ms: number) => ms / 1000;

class Reader {
  constructor(private readonly input: Record<string, unknown>) {}

  string(name: string, options: { required?: boolean; pattern?: RegExp; min?: number; max?: number } = {}): string | undefined {
    const value = this.input[name];
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    if (value === undefined || value === null) {
      if (options.required) throw validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    if (typeof value !== 'string') throw new ProtocolError('SerializationException', `${name} must be a string`, 400);
    if ((options.min !== undefined && value.length < options.min) || (options.max !== undefined && value.length > options.max)) {
      throw validation(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have length between ${options.min ?? 0} and ${options.max ?? 'unbounded'}`);
    }
    if (options.pattern && !options.pattern.test(value)) {
      throw validation(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${options.pattern.source}`);
    }
    return value;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new ProtocolError('SerializationException', `${name} must be an integer`, 400);
    if (value < min || value > max) {
      throw validation(`1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must have value ${value < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`);
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw new ProtocolError('SerializationException', `${name} must be a boolean`, 400);
    return value;
  }

  list(name: string, max?: number): unknown[] | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) throw new ProtocolError('SerializationException', `${name} must be a list`, 400);
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    if (max !== undefined && value.length > max) {
      throw validation(`1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);
    }
    return value;
  }

  stringList(name: string, max?: number): string[] | undefined {
    const list = this.list(name, max);
    if (!list) return undefined;
    if (!list.every((v): v is string => typeof v === 'string')) throw new ProtocolError('SerializationException', `${name} must be a list of strings`, 400);
    return list;
  }
}

function stringValues(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new ProtocolError('SerializationException', `${what} must be a list of strings`, 400);
  }
  return value;
}

export class SsmService {
  private commands: CommandRecord[] = [];
  private ids: SeededRandom;

  constructor(private readonly catalog: InstanceCatalog, private readonly time: SimClock, private readonly seed: number) {
    this.ids = SeededRandom.derive(seed, 'ssm-command');
  }

  reset(): void {
    this.commands = [];
    this.ids = SeededRandom.derive(this.seed, 'ssm-command');
  }

  /** The commands sent so far, oldest first (plain data, for the state file). */
  commandRecords(): readonly CommandRecord[] {
    return this.commands;
  }

  /** The command id stream's position (for the state file). */
  get idPosition(): number {
    return this.ids.position;
  }

  /** Continues from a persisted state: the commands sent before and the id stream. */
  restore(commands: readonly CommandRecord[], idPosition: number): void {
    this.commands = [...commands];
    this.ids = SeededRandom.at(idPosition);
  }

  /** Runs an SSM operation; throws ProtocolError with SSM's codes. Returns the JSON output. */
  handle(call: SsmCall): Record<string, JsonValue> {
    switch (call.operation) {
      case 'DescribeInstanceInformation':
        return this.describeInstanceInformation(call);
      case 'SendCommand':
        return this.sendCommand(call);
      case 'GetCommandInvocation':
        return this.getCommandInvocation(call);
      case 'ListCommandInvocations':
        return this.listCommandInvocations(call);
      default:
        throw new ProtocolError('UnknownOperationException', `Unknown operation ${call.operation}`, 400);
    }
  }

  /** Instances whose agent has registered (Online or ConnectionLost), with their agent. */
  private managed(call: SsmCall, instanceIds?: readonly string[]): { view: InstanceView; agent: AgentView }[] {
    const out: { view: InstanceView; agent: AgentView }[] = [];
    for (const view of this.catalog.list(call.identity.accountId, call.region, instanceIds)) {
      if (view.agent) out.push({ view, agent: view.agent });
    }
    return out;
  }

  private describeInstanceInformation(call: SsmCall): Record<string, JsonValue> {
    const r = new Reader(call.input);
    const maxResults = r.integer('MaxResults', 5, 50) ?? 50;
    const nextToken = r.string('NextToken');
    const checks: ((v: InstanceView, a: AgentView) => boolean)[] = [];
    const valueCheck = (key: string, values: string[]) => {
      if (values.length < 1 || values.length > 100) throw new ProtocolError('InvalidInstanceInformationFilterValue', `The filter ${key} must have between 1 and 100 values`, 400);
      switch (key) {
        case 'InstanceIds': {
          const bad = values.find((v) => !INSTANCE_ID.test(v));
          if (bad !== undefined) throw new ProtocolError('InvalidInstanceInformationFilterValue', `${bad} is not a valid instance id`, 400);
          return (v: InstanceView) => values.includes(v.instanceId);
        }
        case 'PingStatus': {
          const bad = values.find((v) => !['Online', 'ConnectionLost', 'Inactive'].includes(v));
          if (bad !== undefined) throw new ProtocolError('InvalidInstanceInformationFilterValue', `${bad} is not a valid PingStatus`, 400);
          return (_v: InstanceView, a: AgentView) => values.includes(a.pingStatus);
        }
        case 'PlatformTypes': {
          const bad = values.find((v) => !['Windows', 'Linux', 'MacOS'].includes(v));
          if (bad !== undefined) throw new ProtocolError('InvalidInstanceInformationFilterValue', `${bad} is not a valid PlatformType`, 400);
          return (v: InstanceView) => values.includes(v.platform);
        }
        case 'ResourceType':
          return () => values.includes('EC2Instance');
        case 'AgentVersion':
          return () => values.includes(AGENT_VERSION);
        case 'ActivationIds':
        case 'IamRole':
        case 'AssociationStatus':
          return () => false;
        case 'tag-key':
          return (v: InstanceView) => values.some((k) => k in v.tags);
        default:
          if (key.startsWith('tag:') && key.length > 4) {
            const tag = key.slice(4);
            return (v: InstanceView) => tag in v.tags && values.some((p) => globMatch(p, v.tags[tag] ?? ''));
          }
          throw new ProtocolError('InvalidFilterKey', `The filter key ${key} is not valid`, 400);
      }
    };
    for (const [i, f] of (r.list('InstanceInformationFilterList') ?? []).entries()) {
      if (!isRecord(f) || typeof f.key !== 'string') throw validation(`1 validation error detected: Value null at 'instanceInformationFilterList.${i + 1}.member.key' failed to satisfy constraint: Member must not be null`);
      if (!['InstanceIds', 'AgentVersion', 'PingStatus', 'PlatformTypes', 'ActivationIds', 'IamRole', 'ResourceType', 'AssociationStatus'].includes(f.key)) {
        throw validation(`1 validation error detected: Value '${f.key}' at 'instanceInformationFilterList.${i + 1}.member.key' failed to satisfy constraint: Member must satisfy enum value set: [InstanceIds, AgentVersion, PingStatus, PlatformTypes, ActivationIds, IamRole, ResourceType, AssociationStatus]`);
      }
      checks.push(valueCheck(f.key, stringValues(f.valueSet, 'valueSet')));
    }
    for (const f of r.list('Filters') ?? []) {
      if (!isRecord(f) || typeof f.Key !== 'string' || f.Key.length === 0) throw new ProtocolError('InvalidFilterKey', 'A filter needs a Key', 400);
      checks.push(valueCheck(f.Key, stringValues(f.Values, 'Values')));
    }
    const items = this.managed(call, instanceIdsAsked(call.input)).filter(({ view, agent }) => checks.every((c) => c(view, agent)));
    const scope = `ssm:DescribeInstanceInformation|${call.identity.accountId}|${call.region}`;
    const query = { f: call.input.InstanceInformationFilterList ?? null, s: call.input.Filters ?? null };
    let offset = 0;
    if (nextToken) {
      const decoded = decodePageToken(nextToken, scope, query);
      if (decoded === undefined) throw new ProtocolError('InvalidNextToken', 'The specified token is not valid.', 400);
      offset = decoded;
    }
    const page = pageOf(items, offset, maxResults);
    return {
      InstanceInformationList: page.items.map(({ view, agent }) => ({
        InstanceId: view.instanceId,
        PingStatus: agent.pingStatus,
        ...(agent.lastPingMs !== undefined ? { LastPingDateTime: seconds(agent.lastPingMs) } : {}),
        AgentVersion: AGENT_VERSION,
        IsLatestVersion: false,
        PlatformType: view.platform,
        PlatformName: view.platform === 'Windows' ? 'Microsoft Windows Server 2019 Datacenter' : 'Amazon Linux',
        PlatformVersion: view.platform === 'Windows' ? '10.0.17763' : '2',
        ResourceType: 'EC2Instance',
        IPAddress: view.privateIpAddress,
        ComputerName: view.platform === 'Windows' ? view.hostname.toUpperCase().slice(0, 15) : `${view.hostname}.corp.example.com`,
        SourceId: view.instanceId,
        SourceType: 'AWS::EC2::Instance',
      })),
      ...(page.nextOffset !== undefined ? { NextToken: encodePageToken(page.nextOffset, scope, query) } : {}),
    };
  }

  private sendCommand(call: SsmCall): Record<string, JsonValue> {
    const r = new Reader(call.input);
    const documentName = r.string('DocumentName', { required: true, pattern: DOCUMENT_NAME }) ?? '';
    const documentVersion = r.string('DocumentVersion', { pattern: DOCUMENT_VERSION }) ?? '$DEFAULT';
    const instanceIds = r.stringList('InstanceIds', 50) ?? [];
    const badId = instanceIds.find((id) => !INSTANCE_ID.test(id));
    if (badId !== undefined) throw validation(`1 validation error detected: Value '[${instanceIds.join(', ')}]' at 'instanceIds' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: (^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)]`);
    const rawTargets = r.list('Targets', 5) ?? [];
    const targets = rawTargets.map((t) => {
      if (!isRecord(t) || typeof t.Key !== 'string') throw new ProtocolError('SerializationException', 'A target needs a Key', 400);
      return { Key: t.Key, Values: t.Values === undefined ? [] : stringValues(t.Values, 'Target.Values') };
    });
    const timeoutSeconds = r.integer('TimeoutSeconds', 30, 2_592_000) ?? DEFAULT_TIMEOUT_SECONDS;
    const comment = r.string('Comment', { max: 100 }) ?? '';
    const maxConcurrency = r.string('MaxConcurrency', { pattern: MAX_CONCURRENCY }) ?? '50';
    const maxErrors = r.string('MaxErrors', { pattern: MAX_ERRORS }) ?? '0';
    const outputS3BucketName = r.string('OutputS3BucketName', { min: 3, max: 63 }) ?? '';
    const outputS3KeyPrefix = r.string('OutputS3KeyPrefix', { max: 500 }) ?? '';
    const outputS3Region = r.string('OutputS3Region', { min: 3, max: 20 }) ?? '';
    const serviceRoleArn = r.string('ServiceRoleArn') ?? '';
    const rawParameters = call.input.Parameters;
    const parameters: Record<string, string[]> = {};
    if (rawParameters !== undefined && rawParameters !== null) {
      if (!isRecord(rawParameters)) throw new ProtocolError('SerializationException', 'Parameters must be a map of lists of strings', 400);
      for (const [name, values] of Object.entries(rawParameters)) parameters[name] = stringValues(values, `Parameters.${name}`);
    }
    if (instanceIds.length === 0 && targets.length === 0) throw validation('Either InstanceIds or Targets must be specified.');
    if (instanceIds.length > 0 && targets.length > 0) throw validation('InstanceIds and Targets cannot be specified together.');
    if (new Set(instanceIds).size !== instanceIds.length) throw new ProtocolError('DuplicateInstanceId', 'You cannot specify an instance ID in more than one association.', 400);

    const known = KNOWN_DOCUMENTS[documentName];
    if (!known && documentName.startsWith('AWS-')) throw new ProtocolError('InvalidDocument', `Document ${documentName} does not exist in your account`, 400);
    let executionTimeoutSeconds = DEFAULT_EXECUTION_TIMEOUT_SECONDS;
    if (known) {
      const unknown = Object.keys(parameters).find((p) => !known.parameters.includes(p));
      if (unknown !== undefined) throw new ProtocolError('InvalidParameters', `Parameter "${unknown}" is not a valid parameter of document ${documentName}`, 400);
      const absent = known.required.find((p) => !parameters[p] || parameters[p].length === 0);
      if (absent !== undefined) throw new ProtocolError('InvalidParameters', `Parameters required by document ${documentName} are missing: ${absent}`, 400);
    }
    const rawTimeout = parameters.executionTimeout?.[0];
    if (rawTimeout !== undefined) {
      const n = Number(rawTimeout);
      if (!/^\d+$/.test(rawTimeout) || n < 1 || n > 172_800) throw new ProtocolError('InvalidParameters', `executionTimeout must be an integer between 1 and 172800, got "${rawTimeout}"`, 400);
      executionTimeoutSeconds = n;
    }

    const managed = this.managed(call);
    const byId = new Map(managed.map((m) => [m.view.instanceId, m]));
    let chosen: { view: InstanceView; agent: AgentView }[];
    if (instanceIds.length > 0) {
      const invalid = instanceIds.filter((id) => {
        const m = byId.get(id);
        return !m || m.view.stateName === 'terminated' || m.view.stateName === 'shutting-down';
      });
      if (invalid.length > 0) throw new ProtocolError('InvalidInstanceId', `Instances [[${invalid.join(', ')}]] not in a valid state for account ${call.identity.accountId}`, 400);
      chosen = instanceIds.map((id) => byId.get(id)).filter((m): m is { view: InstanceView; agent: AgentView } => m !== undefined);
    } else {
      chosen = managed.filter(({ view }) => view.stateName !== 'terminated' && view.stateName !== 'shutting-down' && targets.every((t) => {
        if (t.Key === 'InstanceIds') return t.Values.includes(view.instanceId);
        if (t.Key === 'tag-key') return t.Values.some((k) => k in view.tags);
        if (t.Key.startsWith('tag:')) return t.Values.includes(view.tags[t.Key.slice(4)] ?? '\u0000');
        throw validation(`Target key ${t.Key} is not supported by the simulator (use InstanceIds, tag:<key> or tag-key)`);
      }));
    }
    if (known) {
      const wrong = chosen.filter(({ view }) => view.platform !== known.platform).map(({ view }) => view.instanceId);
      if (wrong.length > 0) throw new ProtocolError('UnsupportedPlatformType', `The document ${documentName} does not support the platform of [${wrong.join(', ')}]`, 400);
    }

    const command: CommandRecord = {
      commandId: this.ids.uuid(),
      accountId: call.identity.accountId,
      region: call.region,
      documentName,
      documentVersion,
      comment,
      parameters,
      instanceIds,
      targets,
      requestedMs: this.time.now(),
      requestedSimMs: this.time.simNow(),
      timeoutSeconds,
      executionTimeoutSeconds,
      maxConcurrency,
      maxErrors,
      outputS3BucketName,
      outputS3KeyPrefix,
      outputS3Region,
      serviceRoleArn,
      invocations: chosen.map(({ view, agent }) => {
        const script = view.ssm;
        const outcome: FinalStatus = script.commandStatus ?? 'Success';
        return {
          instanceId: view.instanceId,
          instanceName: view.platform === 'Windows' ? view.hostname.toUpperCase().slice(0, 15) : `${view.hostname}.corp.example.com`,
          plugin: known?.plugin ?? (view.platform === 'Windows' ? 'aws:runPowerShellScript' : 'aws:runShellScript'),
          reachable: agent.pingStatus === 'Online',
          outcome,
          stdout: script.stdout ?? '',
          stderr: script.stderr ?? (outcome === 'Failed' ? 'failed to run commands: exit status 1' : ''),
        };
      }),
    };
    this.commands.push(command);
    return { Command: this.commandJson(command) };
  }

  private getCommandInvocation(call: SsmCall): Record<string, JsonValue> {
    const r = new Reader(call.input);
    const commandId = r.string('CommandId', { required: true, min: 36, max: 36 }) ?? '';
    const instanceId = r.string('InstanceId', { required: true, pattern: INSTANCE_ID }) ?? '';
    const pluginName = r.string('PluginName', { min: 4 });
    const command = this.commands.find((c) => c.commandId === commandId && c.accountId === call.identity.accountId && c.region === call.region);
    const invocation = command?.invocations.find((i) => i.instanceId === instanceId);
    if (!command || !invocation) throw new ProtocolError('InvocationDoesNotExist', `No invocation of command ${commandId} on instance ${instanceId}`, 400);
    if (pluginName !== undefined && pluginName !== invocation.plugin) throw new ProtocolError('InvalidPluginName', `Plugin ${pluginName} is not part of document ${command.documentName}`, 400);
    const s = this.state(command, invocation);
    return {
      CommandId: command.commandId,
      InstanceId: instanceId,
      Comment: command.comment,
      DocumentName: command.documentName,
      DocumentVersion: command.documentVersion,
      PluginName: invocation.plugin,
      ResponseCode: s.responseCode,
      ExecutionStartDateTime: s.startMs !== undefined ? new Date(s.startMs).toISOString() : '',
      ExecutionElapsedTime: s.elapsedSimMs !== undefined ? `PT${s.elapsedSimMs / 1000}S` : '',
      ExecutionEndDateTime: s.endMs !== undefined ? new Date(s.endMs).toISOString() : '',
      Status: s.status,
      StatusDetails: s.statusDetails,
      StandardOutputContent: s.stdout.slice(0, 24_000),
      StandardOutputUrl: '',
      StandardErrorContent: s.stderr.slice(0, 8_000),
      StandardErrorUrl: '',
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    };
  }

  private listCommandInvocations(call: SsmCall): Record<string, JsonValue> {
    const r = new Reader(call.input);
    const commandId = r.string('CommandId', { min: 36, max: 36 });
    const instanceId = r.string('InstanceId', { pattern: INSTANCE_ID });
    const maxResults = r.integer('MaxResults', 1, 50) ?? 50;
    const nextToken = r.string('NextToken');
    const details = r.boolean('Details') ?? false;
    const filters = (r.list('Filters', 5) ?? []).map((f) => {
      if (!isRecord(f) || typeof f.key !== 'string' || typeof f.value !== 'string') throw new ProtocolError('SerializationException', 'A filter needs a key and a value', 400);
      return { key: f.key, value: f.value };
    });
    const checks = filters.map(({ key, value }): ((c: CommandRecord, s: InvocationState) => boolean) => {
      switch (key) {
        case 'InvokedAfter':
        case 'InvokedBefore': {
          const at = Date.parse(value);
          if (!Number.isFinite(at)) throw validation(`The filter value ${value} of ${key} is not a valid ISO 8601 date`);
          return key === 'InvokedAfter' ? (c) => c.requestedMs >= at : (c) => c.requestedMs <= at;
        }
        case 'Status':
          if (!['Pending', 'InProgress', 'Success', 'Cancelled', 'Failed', 'TimedOut', 'Cancelling'].includes(value)) throw validation(`The filter value ${value} of Status is not valid`);
          return (_c, s) => s.status === value;
        case 'ExecutionStage':
          if (value !== 'Executing' && value !== 'Complete') throw validation(`The filter value ${value} of ExecutionStage is not valid: use Executing or Complete`);
          return (_c, s) => (value === 'Complete') === (s.status !== 'Pending' && s.status !== 'InProgress');
        case 'DocumentName':
          return (c) => c.documentName === value;
        default:
          throw new ProtocolError('InvalidFilterKey', `The filter key ${key} is not valid`, 400);
      }
    });
    const rows: { command: CommandRecord; invocation: InvocationRecord; state: InvocationState }[] = [];
    for (let i = this.commands.length - 1; i >= 0; i--) {
      const command = this.commands[i];
      if (!command || command.accountId !== call.identity.accountId || command.region !== call.region) continue;
      if (commandId !== undefined && command.commandId !== commandId) continue;
      for (const invocation of command.invocations) {
        if (instanceId !== undefined && invocation.instanceId !== instanceId) continue;
        const state = this.state(command, invocation);
        if (checks.every((c) => c(command, state))) rows.push({ command, invocation, state });
      }
    }
    const scope = `ssm:ListCommandInvocations|${call.identity.accountId}|${call.region}`;
    const query = { commandId, instanceId, filters, details };
    let offset = 0;
    if (nextToken) {
      const decoded = decodePageToken(nextToken, scope, query);
      if (decoded === undefined) throw new ProtocolError('InvalidNextToken', 'The specified token is not valid.', 400);
      offset = decoded;
    }
    const page = pageOf(rows, offset, maxResults);
    return {
      CommandInvocations: page.items.map(({ command, invocation, state }) => ({
        CommandId: command.commandId,
        InstanceId: invocation.instanceId,
        InstanceName: invocation.instanceName,
        Comment: command.comment,
        DocumentName: command.documentName,
        DocumentVersion: command.documentVersion,
        RequestedDateTime: seconds(command.requestedMs),
        Status: state.status,
        StatusDetails: state.statusDetails,
        TraceOutput: '',
        StandardOutputUrl: '',
        StandardErrorUrl: '',
        CommandPlugins: details ? [{
          Name: invocation.plugin,
          Status: state.status,
          StatusDetails: state.statusDetails,
          ResponseCode: state.responseCode,
          ...(state.startMs !== undefined ? { ResponseStartDateTime: seconds(state.startMs) } : {}),
          ...(state.endMs !== undefined ? { ResponseFinishDateTime: seconds(state.endMs) } : {}),
          Output: (state.stdout + (state.stderr ? `\n----------ERROR-------\n${state.stderr}` : '')).slice(0, 2500),
          StandardOutputUrl: '',
          StandardErrorUrl: '',
          OutputS3Region: command.outputS3Region || command.region,
          OutputS3BucketName: command.outputS3BucketName,
          OutputS3KeyPrefix: command.outputS3KeyPrefix,
        }] : [],
        ServiceRole: command.serviceRoleArn,
        NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
        CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
      })),
      ...(page.nextOffset !== undefined ? { NextToken: encodePageToken(page.nextOffset, scope, query) } : {}),
    };
  }

  private commandJson(command: CommandRecord): Record<string, JsonValue> {
    const states = command.invocations.map((i) => this.state(command, i));
    const done = states.filter((s) => s.status !== 'Pending' && s.status !== 'InProgress');
    const errors = done.filter((s) => s.status !== 'Success');
    const status = states.length === 0 ? 'Success' : done.length < states.length ? (states.some((s) => s.status === 'InProgress') ? 'InProgress' : 'Pending') : errors.length > 0 ? (errors.every((s) => s.status === 'TimedOut') ? 'TimedOut' : 'Failed') : 'Success';
    return {
      CommandId: command.commandId,
      DocumentName: command.documentName,
      DocumentVersion: command.documentVersion,
      Comment: command.comment,
      ExpiresAfter: seconds(command.requestedMs + command.timeoutSeconds * 1000),
      Parameters: command.parameters,
      InstanceIds: command.instanceIds,
      Targets: command.targets,
      RequestedDateTime: seconds(command.requestedMs),
      Status: status,
      StatusDetails: status,
      OutputS3Region: command.outputS3Region || command.region,
      OutputS3BucketName: command.outputS3BucketName,
      OutputS3KeyPrefix: command.outputS3KeyPrefix,
      MaxConcurrency: command.maxConcurrency,
      MaxErrors: command.maxErrors,
      TargetCount: command.invocations.length,
      CompletedCount: done.length,
      ErrorCount: errors.filter((s) => s.statusDetails !== 'DeliveryTimedOut').length,
      DeliveryTimedOutCount: errors.filter((s) => s.statusDetails === 'DeliveryTimedOut').length,
      ServiceRole: command.serviceRoleArn,
      NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
      CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
      TimeoutSeconds: command.timeoutSeconds,
    };
  }

  /** Where an invocation stands now (computed from the time elapsed since SendCommand). */
  private state(command: CommandRecord, invocation: InvocationRecord): InvocationState {
    const elapsed = this.time.simNow() - command.requestedSimMs;
    const scale = this.time.scale();
    const at = (simulatedMs: number) => command.requestedMs + Math.round(simulatedMs * scale);
    const pending: InvocationState = { status: 'Pending', statusDetails: 'Pending', responseCode: -1, stdout: '', stderr: '' };
    if (!invocation.reachable) {
      const deadline = command.timeoutSeconds * 1000;
      if (elapsed < deadline) return pending;
      return { status: 'TimedOut', statusDetails: 'DeliveryTimedOut', responseCode: -1, endMs: at(deadline), stdout: '', stderr: '' };
    }
    if (elapsed < PENDING_MS) return pending;
    const startMs = at(PENDING_MS);
    const runMs = invocation.outcome === 'TimedOut' ? command.executionTimeoutSeconds * 1000 : RUN_MS;
    if (elapsed < PENDING_MS + runMs) {
      return { status: 'InProgress', statusDetails: 'InProgress', responseCode: -1, startMs, elapsedSimMs: elapsed - PENDING_MS, stdout: '', stderr: '' };
    }
    const ended = { startMs, endMs: at(PENDING_MS + runMs), elapsedSimMs: runMs, stdout: invocation.stdout, stderr: invocation.stderr };
    switch (invocation.outcome) {
      case 'Success':
        return { status: 'Success', statusDetails: 'Success', responseCode: 0, ...ended };
      case 'Failed':
        return { status: 'Failed', statusDetails: 'Failed', responseCode: 1, ...ended };
      case 'TimedOut':
        return { status: 'TimedOut', statusDetails: 'ExecutionTimedOut', responseCode: -1, ...ended };
      case 'Cancelled':
        return { status: 'Cancelled', statusDetails: 'Cancelled', responseCode: -1, ...ended };
    }
  }
}

/** SSM's error body (awsJson1_1). */
export function ssmErrorBody(error: ProtocolError): Record<string, string> {
  return { __type: error.code, Message: error.message, ...error.members };
}

/**
 * The instance ids every DescribeInstanceInformation filter of the request names (the intersection
 * of its InstanceIds filters), or undefined when none does: lets the catalog skip the others.
 */
function instanceIdsAsked(input: Record<string, unknown>): string[] | undefined {
  const lists = [
    ...(Array.isArray(input.InstanceInformationFilterList) ? input.InstanceInformationFilterList : []).filter((f) => isRecord(f) && f.key === 'InstanceIds').map((f) => (f as { valueSet?: unknown }).valueSet),
    ...(Array.isArray(input.Filters) ? input.Filters : []).filter((f) => isRecord(f) && f.Key === 'InstanceIds').map((f) => (f as { Values?: unknown }).Values),
  ];
  if (lists.length === 0 || !lists.every((l) => Array.isArray(l) && l.every((v) => typeof v === 'string'))) return undefined;
  const [first, ...rest] = lists as string[][];
  return (first ?? []).filter((id) => rest.every((l) => l.includes(id)));
}
