/**
 * @lifeboat/drs-simulator: AWS Elastic Disaster Recovery on one machine, speaking the real DRS
 * wire protocol so the unmodified AWS SDK v3 DrsClient talks to it.
 */
import type { Clock } from './clock.js';
import type { Fleet } from './fleet.js';
import { closeServer, createDrsServer, listen } from './http.js';
import type { PublishEvents } from './model.js';
import { DrsSimulator, type LaunchTimings, type Quotas } from './simulator.js';

export interface StartDrsSimulatorOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: demoFleet(). */
  fleet?: Fleet;
  /** Default 0.01 (a 5-minute Linux launch takes 3 s). */
  timeScale?: number;
  /** Default 1. Same seed and same calls: same ids and timings. */
  seed?: number;
  /** See DrsSimulatorOptions.runSalt. */
  runSalt?: string;
  publishEvents?: PublishEvents;
  quotas?: Partial<Quotas>;
  launchTimings?: Partial<LaunchTimings>;
  clock?: Clock;
  defaultPageSize?: number;
  defaultRegion?: string;
}

export interface DrsSimulatorHandle {
  /** Base URL for the SDK's `endpoint` or AWS_ENDPOINT_URL_DRS, e.g. http://127.0.0.1:PORT. */
  url: string;
  port: number;
  simulator: DrsSimulator;
  setPublishEvents(publish: PublishEvents | undefined): void;
  /** Stops pending launches and the server (open connections included). */
  close(): Promise<void>;
}

export async function startDrsSimulator(options: StartDrsSimulatorOptions = {}): Promise<DrsSimulatorHandle> {
  const simulator = new DrsSimulator({
    ...(options.fleet ? { fleet: options.fleet } : {}),
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.runSalt ? { runSalt: options.runSalt } : {}),
    ...(options.publishEvents ? { publishEvents: options.publishEvents } : {}),
    ...(options.quotas ? { quotas: options.quotas } : {}),
    ...(options.launchTimings ? { launchTimings: options.launchTimings } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.defaultPageSize !== undefined ? { defaultPageSize: options.defaultPageSize } : {}),
    ...(options.defaultRegion ? { defaultRegion: options.defaultRegion } : {}),
  });
  const server = createDrsServer(simulator);
  const url = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  let closed: Promise<void> | undefined;
  return {
    url,
    port: Number(new URL(url).port),
    simulator,
    setPublishEvents: (publish) => simulator.setPublishEvents(publish),
    close() {
      closed ??= (async () => {
        simulator.stop();
        await closeServer(server);
      })();
      return closed;
    },
  };
}

export { DrsSimulator, DEFAULT_QUOTAS, DEFAULT_LAUNCH_TIMINGS, DEFAULT_SEED, DEFAULT_TIME_SCALE } from './simulator.js';
export type {
  Quotas, LaunchTimings, DrsSimulatorOptions, CallerContext, CallerHints, CallLogEntry, EventLogEntry, InvokeResult, ResourceFilter,
} from './simulator.js';
export { demoFleet, parseFleet, FleetError, DEMO_ACCOUNT_ID, DEMO_REGION } from './fleet.js';
export type { Fleet, FleetAccount, FleetServer, OperatingSystem, LaunchOutcome } from './fleet.js';
export { loadFleetFile } from './fleet-file.js';
export { ManualClock, systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { DrsError, QUOTA_CODES, ERROR_STATUS } from './errors.js';
export type { DrsErrorType, ValidationField } from './errors.js';
export { checkInvariants, DEFAULT_GROUP_TAG_KEY } from './invariants.js';
export type { InvariantOptions, InvariantReport, DuplicateLaunch, RejectedCall } from './invariants.js';
export { OPERATIONS } from './operations.js';
export { createDrsServer, callerFromAuthorization } from './http.js';
export { DATA_REPLICATION_STATES } from './model.js';
export type {
  DataReplicationState, DescribeJobsInput, DescribeRecoveryInstancesInput, DescribeSourceServersInput, DrsEvent,
  DrsLaunchResultEvent, Ec2InstanceState, InitiatedBy, Job, JobStatus, JobType, JsonValue, LaunchStatus, Page,
  ParticipatingServer, PublishEvents, RecoveryInstance, SourceServer, StartRecoveryInput, TagsMap,
  TerminateRecoveryInstancesInput,
} from './model.js';
