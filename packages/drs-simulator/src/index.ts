/**
 * @lifeboat/drs-simulator: AWS Elastic Disaster Recovery on one machine, speaking the real DRS
 * wire protocol so the unmodified AWS SDK v3 DrsClient talks to it.
 */
import type { FaultPlan } from './fleet.js';
import { closeServer, createEdgeServer, listen } from './http.js';
import type { PublishEvents } from './model.js';
import { SimulatorEdge } from './protocols/edge.js';
import { DrsSimulator, type DrsSimulatorOptions } from './simulator.js';

/**
 * The core's options (fleet, timeScale default 0.01, seed default 1, runSalt, publishEvents, quotas,
 * launchTimings, clock, defaultPageSize, defaultRegion, stateFile, deferResume, ...) plus the
 * server's and the edge's.
 */
export interface StartDrsSimulatorOptions extends DrsSimulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Wall-clock time for the expiry of AssumeRole credentials (default Date.now). */
  wallClock?: () => number;
}

export interface DrsSimulatorHandle {
  /**
   * Base URL of every protocol: the SDK's `endpoint`, or AWS_ENDPOINT_URL_DRS, AWS_ENDPOINT_URL_EC2,
   * AWS_ENDPOINT_URL_SSM and AWS_ENDPOINT_URL_STS, e.g. http://127.0.0.1:PORT. Control API under /_simulator/.
   */
  url: string;
  port: number;
  simulator: DrsSimulator;
  /** Accounts and assumed roles, EC2/SSM views, HTTP faults and the call log of every protocol. */
  edge: SimulatorEdge;
  setPublishEvents(publish: PublishEvents | undefined): void;
  /** Replaces the fault plan (core and edge; validated, throws FaultPlanError); `{}` clears it. */
  setFaults(plan: FaultPlan): void;
  /** Stops pending launches and the server (open connections included); with a state file, saves first. */
  close(): Promise<void>;
}

export async function startDrsSimulator(options: StartDrsSimulatorOptions = {}): Promise<DrsSimulatorHandle> {
  const { port, host, wallClock, ...coreOptions } = options;
  const simulator = new DrsSimulator(coreOptions);
  const edge = new SimulatorEdge(simulator, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(wallClock ? { wallClock } : {}),
  });
  const server = createEdgeServer(edge);
  let url: string;
  try {
    url = await listen(server, port ?? 0, host ?? '127.0.0.1');
  } catch (error) {
    simulator.stop();
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    url,
    port: Number(new URL(url).port),
    simulator,
    edge,
    setPublishEvents: (publish) => simulator.setPublishEvents(publish),
    setFaults: (plan) => edge.setFaultPlan(plan),
    close() {
      closed ??= (async () => {
        simulator.stop();
        await closeServer(server);
      })();
      return closed;
    },
  };
}

export { DrsSimulator, DEFAULT_QUOTAS, DEFAULT_LAUNCH_TIMINGS, DEFAULT_SEED, DEFAULT_TIME_SCALE, isReadOnlyOperation } from './simulator.js';
export type {
  Quotas, LaunchTimings, DrsSimulatorOptions, CallerContext, CallerHints, CallLogEntry, EventLogEntry, InvokeResult, ResourceFilter,
  Ec2InstanceFacts, RecoveryInstanceDetails, RestoredStateInfo,
} from './simulator.js';
export { StateFileError, StateStore, STATE_FORMAT, STATE_VERSION } from './persistence.js';
export type { StateStoreOptions, StateStoreStats, StatePart, StateChanges } from './persistence.js';
export { generateFleet, GENERATED_ROLE_NAME } from './generator.js';
export type { GenerateFleetOptions } from './generator.js';
export { parseFaultPlan, FaultPlanError } from './faults.js';
export { demoFleet, parseFleet, FleetError, DEMO_ACCOUNT_ID, DEMO_REGION } from './fleet.js';
export type { Fleet, FleetAccount, FleetServer, FleetRole, FleetSsmScript, FaultPlan, ServerSelector, OperatingSystem, LaunchOutcome } from './fleet.js';
export { loadFleetFile } from './fleet-file.js';
export { ManualClock, systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { DrsError, QUOTA_CODES, ERROR_STATUS } from './errors.js';
export type { DrsErrorType, ValidationField } from './errors.js';
export { checkInvariants, DEFAULT_GROUP_TAG_KEY } from './invariants.js';
export type { InvariantOptions, InvariantReport, DuplicateLaunch, RejectedCall } from './invariants.js';
export { OPERATIONS } from './operations.js';
export { createDrsServer, createEdgeServer, callerFromAuthorization } from './http.js';
export type { CreateServerOptions } from './http.js';
export { SimulatorEdge } from './protocols/edge.js';
export type { EdgeCallEntry, SimulatorEdgeOptions } from './protocols/edge.js';
export { AccountDirectory, parseSigV4Authorization, parseCredentialScope } from './accounts.js';
export type { CallerIdentity, AssumedRoleSession, SigV4Scope, TemporaryCredentials } from './accounts.js';
export { InstanceCatalog, DRS_MANAGED_TAG, DRS_SOURCE_SERVER_TAG } from './protocols/instances.js';
export type { InstanceView, AgentView, Ec2StateName } from './protocols/instances.js';
export { ProtocolError } from './protocols/common.js';
export type { EdgeService, EdgeFaultKind } from './protocols/common.js';
export { CONTROL_PREFIX } from './control.js';
export { DATA_REPLICATION_STATES, FAILBACK_STATES, JOB_LOG_EVENTS, LAUNCH_ACTION_CATEGORIES, isLaunchResultEvent } from './model.js';
// Every wire shape of the core (sources servers, jobs, job logs, snapshots, launch configurations and actions, events...).
export type * from './model.js';
export { readFaultPlan, selects } from './faults.js';
export { DEFAULT_PIT_POLICY, type PitPolicyRule } from './snapshots.js';
