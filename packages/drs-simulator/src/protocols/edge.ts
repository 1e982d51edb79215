/**
 * The simulator's edge: everything between an HTTP request and the DRS core. It knows who calls
 * (accounts, assumed roles), serves EC2, SSM and STS itself from the core's recovery instances,
 * applies the HTTP-level faults of the plan (throttling, internal errors, AssumeRole denial) and
 * keeps one log of every call of every protocol.
 */
import { randomUUID } from 'node:crypto';
import { AccountDirectory, type AuthFailureKind, type CallerIdentity, type IdentityResolution, type IssuedCredentials } from '../accounts.js';
import { systemClock, type Clock } from '../clock.js';
import type { FaultPlan } from '../fleet.js';
import type { JsonValue, TagsMap } from '../model.js';
import type { StateChanges } from '../persistence.js';
import { isReadOnlyOperation, type CallLogEntry, type CallerHints, type DrsSimulator } from '../simulator.js';
import { ProtocolError, type EdgeFaultKind, type EdgeService, type HttpAnswer, type SimClock } from './common.js';
import { ec2ErrorXml } from './ec2.js';
import { EdgeFaults, type EdgeFaultDecision } from './faults.js';
import { InstanceCatalog } from './instances.js';
import { SsmService, ssmErrorBody, type CommandRecord } from './ssm.js';
import { stsErrorXml } from './sts.js';

/** One call of any protocol, as the control API's call log shows it. */
export interface EdgeCallEntry {
  seq: number;
  time: string;
  service: EdgeService;
  operation: string;
  accountId: string;
  region: string;
  accessKeyId?: string;
  /** The caller's ARN (an IAM user, or an assumed role's session). */
  principal?: string;
  input: JsonValue;
  summary: string;
  outcome: 'OK' | 'ERROR';
  statusCode: number;
  errorType?: string;
  errorMessage?: string;
  /** Set when an injected fault produced the error. */
  fault?: EdgeFaultKind;
  /** DRS calls: the sequence number of the core's own call-log entry, and its StartRecovery details. */
  drsSeq?: number;
  sourceServerIDs?: string[];
  tags?: TagsMap;
  isDrill?: boolean;
  jobID?: string;
  /** STS AssumeRole: the account the issued credentials act as. */
  assumedAccountId?: string;
  assumedRoleArn?: string;
}

/** Operations of the other protocols that change state (saved before they answer). */
const MUTATING_EDGE_OPERATIONS: ReadonlySet<string> = new Set(['SendCommand', 'AssumeRole']);

/** The edge's record in the state file besides its calls, commands and sessions. */
interface EdgeMeta {
  ssmIds: number;
  faults: ReturnType<EdgeFaults['exportState']>;
}

export interface SimulatorEdgeOptions {
  /** The clock the DRS core runs on (default the system clock). */
  clock?: Clock;
  /** Wall-clock time for credential expiry (default Date.now). */
  wallClock?: () => number;
}

/** How one protocol reports what the edge itself refuses. */
export interface ProtocolFormat {
  service: EdgeService;
  auth(kind: AuthFailureKind, message: string): ProtocolError;
  fault(decision: EdgeFaultDecision): ProtocolError;
  internal(message: string): ProtocolError;
  error(error: ProtocolError, requestId: string): HttpAnswer;
}

export const xmlAnswer = (status: number, body: string, requestId: string, headers: Record<string, string> = {}): HttpAnswer => ({
  status,
  headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId, ...headers },
  body,
});

export const jsonAnswer = (status: number, body: unknown, requestId: string, contentType = 'application/x-amz-json-1.1', headers: Record<string, string> = {}): HttpAnswer => ({
  status,
  headers: { 'content-type': contentType, 'x-amzn-requestid': requestId, ...headers },
  body: body === undefined ? '' : JSON.stringify(body),
});

export const EC2_FORMAT: ProtocolFormat = {
  service: 'ec2',
  auth: (kind) => (kind === 'expiredToken'
    ? new ProtocolError('RequestExpired', 'Request has expired.', 400)
    : new ProtocolError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401)),
  fault: (d) => (d.kind === 'throttling'
    ? new ProtocolError('RequestLimitExceeded', 'Request limit exceeded.', 503)
    : new ProtocolError('InternalError', 'An internal error has occurred', 500)),
  internal: (message) => new ProtocolError('InternalError', `An internal error has occurred: ${message}`, 500),
  error: (e, requestId) => xmlAnswer(e.statusCode, ec2ErrorXml(e, requestId), requestId, e.headers),
};

export const STS_FORMAT: ProtocolFormat = {
  service: 'sts',
  auth: (kind, message) => (kind === 'expiredToken'
    ? new ProtocolError('ExpiredTokenException', message, 400)
    : new ProtocolError('InvalidClientTokenId', message, 403)),
  fault: (d) => (d.kind === 'throttling'
    ? new ProtocolError('Throttling', 'Rate exceeded', 400)
    : new ProtocolError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500)),
  internal: (message) => new ProtocolError('InternalFailure', message, 500),
  error: (e, requestId) => xmlAnswer(e.statusCode, stsErrorXml(e, requestId), requestId, e.headers),
};

export const SSM_FORMAT: ProtocolFormat = {
  service: 'ssm',
  auth: (kind, message) => (kind === 'expiredToken'
    ? new ProtocolError('ExpiredTokenException', message, 400)
    : new ProtocolError('UnrecognizedClientException', message, 400)),
  fault: (d) => (d.kind === 'throttling'
    ? new ProtocolError('ThrottlingException', 'Rate exceeded', 400)
    : new ProtocolError('InternalServerError', 'An internal error occurred.', 500)),
  internal: (message) => new ProtocolError('InternalServerError', message, 500),
  error: (e, requestId) => jsonAnswer(e.statusCode, ssmErrorBody(e), requestId, 'application/x-amz-json-1.1', e.headers),
};

export interface EdgeCallSpec<T> {
  format: ProtocolFormat;
  operation: string;
  resolution: IdentityResolution;
  region: string;
  input: JsonValue;
  summary?: string;
  requestId: string;
  /** Runs the operation; throws ProtocolError for the service's errors. */
  run(identity: CallerIdentity): T;
  /** Renders the successful result. */
  ok(result: T, requestId: string): HttpAnswer;
  /** Extra fields for the call log from a successful result. */
  logFields?(result: T): Partial<EdgeCallEntry>;
}

export class SimulatorEdge {
  readonly accounts: AccountDirectory;
  readonly instances: InstanceCatalog;
  readonly ssm: SsmService;
  readonly faults: EdgeFaults;
  readonly time: SimClock;
  private readonly clock: Clock;
  private calls: EdgeCallEntry[] = [];
  // What the state file already holds.
  private savedCalls = 0;
  private savedCommands = 0;
  private savedSessionChanges = 0;
  private lastMeta = '';

  constructor(readonly simulator: DrsSimulator, options: SimulatorEdgeOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const clock = this.clock;
    this.time = { now: () => clock.now(), simNow: () => simulator.simulatedNow(), scale: () => simulator.timeScale };
    this.accounts = new AccountDirectory(() => simulator.fleet, { ...(options.wallClock ? { now: options.wallClock } : {}) });
    this.instances = new InstanceCatalog(simulator);
    this.ssm = new SsmService(this.instances, this.time, simulator.seed);
    this.faults = new EdgeFaults(simulator.seed, () => this.faultPlan());
    // With a state file: the call log, SSM commands, sessions and fault counts persist with the core.
    const records = simulator.registerStatePart('edge', { all: () => this.allRecords(), changes: () => this.changedRecords() });
    if (records && records.size > 0) this.restoreState(records);
  }

  // ---------------------------------------------------------------- persistence

  private metaRecord(): EdgeMeta {
    return { ssmIds: this.ssm.idPosition, faults: this.faults.exportState() };
  }

  private allRecords(): [string, unknown][] {
    const meta = this.metaRecord();
    this.lastMeta = JSON.stringify(meta);
    this.savedCalls = this.calls.length;
    const commands = this.ssm.commandRecords();
    this.savedCommands = commands.length;
    this.savedSessionChanges = this.accounts.changes;
    return [
      ['meta', meta],
      ['sessions', this.accounts.exportSessions()],
      ...this.calls.map((c): [string, unknown] => [`call/${c.seq}`, c]),
      ...commands.map((c, i): [string, unknown] => [`ssm/${i}`, c]),
    ];
  }

  private changedRecords(): StateChanges {
    const upserts: [string, unknown][] = [];
    const meta = this.metaRecord();
    const metaText = JSON.stringify(meta);
    if (metaText !== this.lastMeta) {
      upserts.push(['meta', meta]);
      this.lastMeta = metaText;
    }
    if (this.accounts.changes !== this.savedSessionChanges) {
      upserts.push(['sessions', this.accounts.exportSessions()]);
      this.savedSessionChanges = this.accounts.changes;
    }
    for (let i = this.savedCalls; i < this.calls.length; i++) {
      const call = this.calls[i];
      if (call) upserts.push([`call/${call.seq}`, call]);
    }
    this.savedCalls = this.calls.length;
    const commands = this.ssm.commandRecords();
    for (let i = this.savedCommands; i < commands.length; i++) upserts.push([`ssm/${i}`, commands[i]]);
    this.savedCommands = commands.length;
    return { upserts, deletes: [] };
  }

  private restoreState(records: Map<string, unknown>): void {
    const calls: EdgeCallEntry[] = [];
    const commands: CommandRecord[] = [];
    for (const [key, value] of records) {
      if (key.startsWith('call/')) calls.push(value as EdgeCallEntry);
      else if (key.startsWith('ssm/')) commands[Number(key.slice(4))] = value as CommandRecord;
    }
    this.calls = calls.sort((a, b) => a.seq - b.seq);
    const meta = records.get('meta') as EdgeMeta | undefined;
    this.ssm.restore(commands.filter((c): c is CommandRecord => c !== undefined), meta?.ssmIds ?? this.ssm.idPosition);
    if (meta) this.faults.restoreState(meta.faults);
    const sessions = records.get('sessions') as [string, IssuedCredentials][] | undefined;
    if (sessions) this.accounts.importSessions(sessions);
    this.savedCalls = this.calls.length;
    this.savedCommands = this.ssm.commandRecords().length;
    this.savedSessionChanges = this.accounts.changes;
    this.lastMeta = JSON.stringify(this.metaRecord());
  }

  /** Saves after a DRS call the edge logged: before answering when the operation changes state. */
  persistDrsCall(operation: string): void {
    if (isReadOnlyOperation(operation)) this.simulator.saveStateSoon();
    else this.simulator.saveState();
  }

  get callLog(): readonly EdgeCallEntry[] {
    return this.calls;
  }

  /** The fault plan in force (the core keeps it). */
  faultPlan(): FaultPlan {
    return this.simulator.faults();
  }

  /** Replaces the fault plan (validated by the core: throws FaultPlanError) and restarts the edge's fault counts. */
  setFaultPlan(plan: FaultPlan): void {
    this.simulator.setFaults(plan);
    this.faults.reset();
    this.simulator.saveState();
  }

  /** Changes the time scale (everything in flight keeps the simulated time it has left). */
  setTimeScale(scale: number): void {
    this.simulator.setTimeScale(scale);
  }

  /**
   * Back to the fleet as loaded: the core (its fault plan back to the fleet's), SSM commands, the
   * call log and fault counts. Issued credentials stay valid.
   */
  reset(): void {
    this.simulator.reset();
    this.ssm.reset();
    this.calls = [];
    this.faults.reset();
    this.savedCalls = 0;
    this.savedCommands = 0;
    this.simulator.requestStateCompaction();
    this.simulator.saveState();
  }

  /** A region for a call that carries no SigV4 scope: the account's first. */
  defaultRegion(accountId: string): string {
    return this.accounts.account(accountId)?.regions[0] ?? 'us-east-1';
  }

  newRequestId(): string {
    return randomUUID();
  }

  /** What the core needs to act as the caller: the account the edge resolved (an assumed role's included), the key and region. */
  coreHints(identity: CallerIdentity | undefined, region: string | undefined): CallerHints {
    return {
      ...(identity?.accessKeyId ? { accessKeyId: identity.accessKeyId } : {}),
      ...(region ? { region } : {}),
      ...(identity ? { accountId: identity.accountId } : {}),
    };
  }

  /** Appends an entry to the call log. */
  record(entry: Omit<EdgeCallEntry, 'seq' | 'time'>): EdgeCallEntry {
    const full: EdgeCallEntry = { seq: this.calls.length + 1, time: new Date(this.clock.now()).toISOString(), ...entry };
    this.calls.push(full);
    this.simulator.saveStateSoon();
    return full;
  }

  /** Records a DRS call from the core's own log entry (the one it appended after `before`). */
  recordDrs(before: number, operation: string, identity: CallerIdentity | undefined, fault?: EdgeFaultKind): void {
    const log: readonly CallLogEntry[] = this.simulator.callLog;
    let core: CallLogEntry | undefined;
    for (let i = before; i < log.length; i++) {
      const entry = log[i];
      if (entry && entry.operation === operation) {
        core = entry;
        break;
      }
    }
    if (!core) return;
    const { seq, time: _time, ...rest } = core;
    this.record({
      ...rest,
      service: 'drs',
      drsSeq: seq,
      ...(identity ? { principal: identity.arn } : {}),
      ...(fault ? { fault } : {}),
    });
  }

  /**
   * Runs one non-DRS call through the edge: the caller's identity, the injected faults, the
   * operation, the protocol's rendering and the call log.
   */
  serve<T>(spec: EdgeCallSpec<T>): HttpAnswer {
    const { format, operation, requestId } = spec;
    const identity = spec.resolution.ok ? spec.resolution.identity : undefined;
    const base = {
      service: format.service,
      operation,
      accountId: identity?.accountId ?? this.accounts.accountForKey(undefined).accountId,
      region: spec.region,
      ...(identity?.accessKeyId ? { accessKeyId: identity.accessKeyId } : {}),
      ...(identity ? { principal: identity.arn } : {}),
      input: spec.input,
      summary: spec.summary ?? operation,
    };
    const fail = (error: ProtocolError, fault?: EdgeFaultKind): HttpAnswer => {
      this.record({ ...base, outcome: 'ERROR', statusCode: error.statusCode, errorType: error.code, errorMessage: error.message, ...(fault ? { fault } : {}) });
      return format.error(error, requestId);
    };
    if (!spec.resolution.ok) return fail(format.auth(spec.resolution.kind, spec.resolution.message));
    const decision = this.faults.decide(format.service, operation);
    if (decision) return fail(format.fault(decision), decision.kind);
    let result: T;
    try {
      result = spec.run(spec.resolution.identity);
    } catch (error) {
      if (error instanceof ProtocolError) return fail(error, error.injected);
      return fail(format.internal(error instanceof Error ? error.message : String(error)));
    }
    const answer = spec.ok(result, requestId);
    this.record({ ...base, outcome: 'OK', statusCode: answer.status, ...(spec.logFields ? spec.logFields(result) : {}) });
    // Issued credentials and sent commands are on disk before the caller has them.
    if (MUTATING_EDGE_OPERATIONS.has(operation)) this.simulator.saveState();
    return answer;
  }
}
