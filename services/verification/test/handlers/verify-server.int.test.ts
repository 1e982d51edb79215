/**
 * recordExecution + verifyServer against the DRS simulator in process (DRS, EC2 and SSM on one URL,
 * through the SDK's AWS_ENDPOINT_URL_<SERVICE>), dynalite for the service's tables and EventBridge
 * mocked at the SDK. The fleet scripts each server's SSM agent and Run Command outcome; the plan's
 * verification settings come with ExecutionStarted, as in the product.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DescribeJobsCommand, DescribeSourceServersCommand, DrsClient, PutLaunchActionCommand, StartRecoveryCommand, type Job } from '@aws-sdk/client-drs';
import { startDrsSimulator, type DrsSimulatorHandle, type Fleet } from '@lifeboat/drs-simulator';
import { createEvent } from '@lifeboat/events';
import { DEFAULT_VERIFICATION, type PlanSnapshot, type ResolvedVerification } from '@lifeboat/service-api';
import { lambdaContext, mockEventBridge, startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import type { handler as RecordExecutionHandler } from '../../src/handlers/record-execution.js';
import { DynamoDbJobSnapshots } from '../../src/adapters/dynamodb-job-snapshots.js';
import type { createVerifyServerHandler as CreateVerifyServerHandler, defaultDependencies as DefaultDependencies } from '../../src/handlers/verify-server.js';
import { JobLaunchActionsReader } from '../../src/job-launch-actions.js';
import { systemClock } from '../../src/verify.js';
import { ACCOUNT_ID, REGION, envelopeOf, serverLaunched } from '../support/events.js';

jest.setTimeout(30_000);

const HEALTH_CHECK = { name: 'linux', documentName: 'Lifeboat-HealthCheck-Linux', parameters: { services: ['sshd nginx'], ports: ['22 443'] }, timeoutSeconds: 10 };

const fleet: Fleet = {
  accounts: [{ accountId: ACCOUNT_ID, regions: [REGION] }],
  servers: [
    { hostname: 'healthy-1', os: 'LINUX', accountId: ACCOUNT_ID, region: REGION, ssm: { stdout: 'OK   service sshd is active\nOK   TCP port 22 is listening\n' } },
    { hostname: 'failing-1', os: 'LINUX', accountId: ACCOUNT_ID, region: REGION, ssm: { commandStatus: 'Failed', stdout: 'OK   service sshd is active\n', stderr: 'FAIL service nginx is inactive\n' } },
    { hostname: 'noagent-1', os: 'LINUX', accountId: ACCOUNT_ID, region: REGION, ssm: { agentOnline: false } },
    { hostname: 'action-1', os: 'LINUX', accountId: ACCOUNT_ID, region: REGION, ssm: { commandStatus: 'Failed', stderr: 'smoke test failed\n' } },
  ],
};

const eventBridge = mockEventBridge();
let db: ServiceDynamoDb;
let sim: DrsSimulatorHandle;
let drs: DrsClient;
let recordExecution: typeof RecordExecutionHandler;
let createVerifyServerHandler: typeof CreateVerifyServerHandler;
let defaultDependencies: typeof DefaultDependencies;
let probeTarget: Server;
let probePort: number;
/** hostname → source server id, recovery instance id and the launch's job. */
const launched: Record<string, { sourceServerId: string; recoveryInstanceId: string; jobId: string }> = {};

interface VerificationData {
  sourceServerId: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
  checks: { name: string; status: string; durationMs: number; output?: string }[];
  reason?: string;
}

const ENV = ['AWS_ENDPOINT_URL_DRS', 'AWS_ENDPOINT_URL_EC2', 'AWS_ENDPOINT_URL_SSM', 'AWS_ENDPOINT_URL_STS', 'AWS_PROFILE'] as const;
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));

async function waitForJob(jobId: string): Promise<Job> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { items } = await drs.send(new DescribeJobsCommand({ filters: { jobIDs: [jobId] } }));
    const job = items?.[0];
    if (job?.status === 'COMPLETED') return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} did not complete: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  db = await startServiceDynamoDb(fileURLToPath(new URL('../../serverless.yml', import.meta.url)));
  // A fast simulator: a launch in about 0.3 s, status checks ok 0.12 s and the agent online 0.06 s after it runs.
  sim = await startDrsSimulator({ fleet, seed: 5, timeScale: 0.001 });
  for (const name of ENV) delete process.env[name];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DRS: sim.url,
    AWS_ENDPOINT_URL_EC2: sim.url,
    AWS_ENDPOINT_URL_SSM: sim.url,
    // Which account the function runs in (GetCallerIdentity): the launches are in it.
    AWS_ENDPOINT_URL_STS: sim.url,
    VERIFICATION_IDEMPOTENCY_TABLE: db.tables.VerificationIdempotencyTable,
    VERIFICATION_EXECUTIONS_TABLE: db.tables.VerificationExecutionsTable,
    VERIFICATION_JOBS_TABLE: db.tables.VerificationJobsTable,
    VERIFICATION_RETENTION_DAYS: '1',
    EVENT_BUS_NAME: 'lifeboat-test',
    LIFEBOAT_STAGE: 'test',
    VERIFICATION_TIMEOUT_SECONDS: '20',
    VERIFICATION_POLL_MS: '20',
    VERIFICATION_POST_LAUNCH_ACTIONS_TIMEOUT_SECONDS: '5',
    VERIFICATION_PROBE_TIMEOUT_SECONDS: '2',
  });
  ({ handler: recordExecution } = await import('../../src/handlers/record-execution.js'));
  ({ createVerifyServerHandler, defaultDependencies } = await import('../../src/handlers/verify-server.js'));

  // What the probes reach: the simulated instances' private IPs are not routable, so a local server.
  probeTarget = createServer((request, response) => {
    response.writeHead(request.url === '/health' ? 200 : 404).end(request.url === '/health' ? 'healthy' : 'no');
  });
  await new Promise<void>((resolve) => probeTarget.listen(0, '127.0.0.1', resolve));
  probePort = (probeTarget.address() as AddressInfo).port;

  // One drill of the fleet; action-1 has a (non-optional) post-launch action, which its script fails.
  drs = new DrsClient({ endpoint: sim.url, region: REGION, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' } });
  const { items } = await drs.send(new DescribeSourceServersCommand({}));
  const ids = Object.fromEntries((items ?? []).map((s) => [s.sourceProperties?.identificationHints?.hostname ?? '', s.sourceServerID ?? '']));
  await drs.send(new PutLaunchActionCommand({
    resourceId: ids['action-1'], actionId: 'aaaaaaaa-0000-4000-8000-000000000001', actionCode: 'AWS-RunShellScript', name: 'Smoke test',
    order: 10, optional: false, active: true, actionVersion: '1', category: 'VALIDATION', description: 'Smoke test of the app',
  }));
  const { job } = await drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: Object.values(ids).map((sourceServerID) => ({ sourceServerID })) }));
  const done = await waitForJob(job?.jobID ?? '');
  for (const [hostname, sourceServerId] of Object.entries(ids)) {
    const participant = done.participatingServers?.find((p) => p.sourceServerID === sourceServerId);
    launched[hostname] = { sourceServerId, recoveryInstanceId: participant?.recoveryInstanceID ?? '', jobId: done.jobID ?? '' };
  }
});

afterAll(async () => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  eventBridge.restore();
  await new Promise((resolve) => probeTarget?.close(resolve));
  await sim?.close();
  await db?.stop();
});

/** The plan snapshot of an execution of these servers, each with its verification settings. */
function executionStarted(executionId: string, settings: Record<string, Partial<ResolvedVerification>>) {
  const plan: PlanSnapshot = {
    planId: 'plan-1',
    version: 1,
    name: 'Verification',
    waves: [{
      waveId: 'wave-1', name: 'All', dependsOn: [], launchOrder: 'PARALLEL',
      servers: Object.entries(settings).map(([hostname, verification]) => ({
        sourceServerId: launched[hostname]?.sourceServerId ?? '', accountId: ACCOUNT_ID, region: REGION, hostname, criticality: 'CRITICAL' as const,
        verification: { ...DEFAULT_VERIFICATION, instanceTimeoutSeconds: 10, ...verification },
      })),
    }],
  };
  return createEvent('ExecutionStarted', { executionId, planId: 'plan-1', planVersion: 1, mode: 'DRILL', plan }, { correlationId: executionId, actor: { type: 'service', id: 'lifeboat-execution' } });
}

function launchOf(executionId: string, hostname: string) {
  const server = launched[hostname];
  if (!server) throw new Error(`${hostname} was not launched`);
  return serverLaunched({ executionId, waveId: 'wave-1', sourceServerId: server.sourceServerId, jobId: server.jobId, recoveryInstanceId: server.recoveryInstanceId });
}

/** Delivers the events in order (each as EventBridge would), and answers what verification published. */
async function deliver(verifyServer: ReturnType<typeof CreateVerifyServerHandler>, ...events: ReturnType<typeof serverLaunched | typeof executionStarted>[]) {
  eventBridge.reset();
  for (const event of events) {
    if (event.type === 'ExecutionStarted') await recordExecution(envelopeOf(event), lambdaContext('lifeboat-verification-test-recordExecution'));
    else await verifyServer(envelopeOf(event), lambdaContext('lifeboat-verification-test-verifyServer'));
  }
  return eventBridge.events<VerificationData>();
}

const statuses = (data: VerificationData | undefined) => data?.checks.map((c) => [c.name, c.status]);
const ssmCalls = (operation: string) => sim.edge.callLog.filter((c) => c.service === 'ssm' && c.operation === operation);

describe('verifyServer against the simulator', () => {
  // First: no snapshot of the job is in the table yet.
  it('two servers of one job verified at once, each in its own container, share one DescribeJobs', async () => {
    // given two containers, each with its own reader of the job snapshots table
    const container = () => {
      const reader = new JobLaunchActionsReader(new DynamoDbJobSnapshots(DynamoDBDocumentClient.from(db.client), db.table('VerificationJobsTable')), systemClock);
      return createVerifyServerHandler({ jobLaunchActions: () => reader });
    };
    const [first, second] = [container(), container()];
    eventBridge.reset();
    await recordExecution(envelopeOf(executionStarted('exec-shared', { 'healthy-1': {}, 'action-1': {} })), lambdaContext('lifeboat-verification-test-recordExecution'));
    const before = sim.edge.callLog.length;

    // when each verifies its server's launch
    await Promise.all([
      first(envelopeOf(launchOf('exec-shared', 'healthy-1')), lambdaContext('lifeboat-verification-test-verifyServer')),
      second(envelopeOf(launchOf('exec-shared', 'action-1')), lambdaContext('lifeboat-verification-test-verifyServer')),
    ]);

    // then each has its own verdict on the post-launch actions, from one DescribeJobs
    const verdicts = Object.fromEntries(eventBridge.events<VerificationData>().map((e) => [e.detail.data.sourceServerId, e.detail.data.checks.find((c) => c.name === 'drs-post-launch-actions')]));
    expect(verdicts[launched['healthy-1']?.sourceServerId ?? '']).toMatchObject({ status: 'PASSED', output: expect.stringMatching(/^no post-launch action ran for job /) });
    expect(verdicts[launched['action-1']?.sourceServerId ?? '']).toMatchObject({ status: 'FAILED', output: 'post-launch action Smoke test FAILED: SSM document AWS-RunShellScript ended Failed' });
    expect(sim.edge.callLog.slice(before).filter((c) => c.service === 'drs' && c.operation === 'DescribeJobs')).toHaveLength(1);
  });

  it('a healthy server: every check PASSED, probes included, and ServerVerified', async () => {
    const verifyServer = createVerifyServerHandler({ ports: async (scope, accounts, jobs) => ({ ...(await defaultDependencies.ports(scope, accounts, jobs)), resolveAddress: () => '127.0.0.1' }) });
    const started = executionStarted('exec-healthy', {
      'healthy-1': { healthChecks: [HEALTH_CHECK], probes: [{ type: 'TCP', port: probePort }, { type: 'HTTP', port: probePort, path: '/health' }] },
    });
    const launch = launchOf('exec-healthy', 'healthy-1');

    const [verdict, ...others] = await deliver(verifyServer, started, launch);

    expect(others).toHaveLength(0);
    expect(verdict?.entry).toMatchObject({ Source: 'lifeboat.verification', DetailType: 'ServerVerified' });
    expect(verdict?.detail.metadata).toMatchObject({ correlationId: 'exec-healthy', causationId: launch.metadata.eventId });
    const data = verdict?.detail.data;
    expect(data).toMatchObject({ sourceServerId: launched['healthy-1']?.sourceServerId, recoveryInstanceId: launched['healthy-1']?.recoveryInstanceId, ec2InstanceId: launched['healthy-1']?.recoveryInstanceId });
    expect(statuses(data)).toEqual([
      ['ec2-running-and-status-checks', 'PASSED'],
      ['ssm-agent-online', 'PASSED'],
      ['ssm:linux', 'PASSED'],
      ['drs-post-launch-actions', 'PASSED'],
      [`tcp:${probePort}`, 'PASSED'],
      [`http:${probePort}/health`, 'PASSED'],
    ]);
    expect(data?.checks[0]?.output).toMatch(/is running; system status ok, instance status ok$/);
    expect(data?.checks[2]?.output).toBe('Lifeboat-HealthCheck-Linux: Success, exit 0\nstdout: OK   service sshd is active\nOK   TCP port 22 is listening');
    expect(data?.checks[5]?.output).toBe(`http://127.0.0.1:${probePort}/health answered 200 (expected 2xx): healthy`);
    for (const check of data?.checks ?? []) expect(Number.isInteger(check.durationMs)).toBe(true);
    // The health check ran once, with the plan's parameters, named for a redelivery to find it.
    const sent = ssmCalls('SendCommand').filter((c) => JSON.stringify(c.input).includes('exec-healthy'));
    expect(sent.map((c) => c.input)).toEqual([expect.objectContaining({ DocumentName: 'Lifeboat-HealthCheck-Linux', Parameters: HEALTH_CHECK.parameters, Comment: `lifeboat exec-healthy ${launched['healthy-1']?.sourceServerId} ssm:linux` })]);
  });

  it('a failing health script: its check FAILED with the stderr excerpt, later checks SKIPPED', async () => {
    const verifyServer = createVerifyServerHandler();

    const [verdict] = await deliver(verifyServer, executionStarted('exec-failing', { 'failing-1': { healthChecks: [HEALTH_CHECK] } }), launchOf('exec-failing', 'failing-1'));

    expect(verdict?.entry.DetailType).toBe('ServerVerificationFailed');
    const data = verdict?.detail.data;
    expect(statuses(data)).toEqual([
      ['ec2-running-and-status-checks', 'PASSED'],
      ['ssm-agent-online', 'PASSED'],
      ['ssm:linux', 'FAILED'],
      ['drs-post-launch-actions', 'SKIPPED'],
    ]);
    expect(data?.checks[2]?.output).toBe('Lifeboat-HealthCheck-Linux: Failed, exit 1\nstdout: OK   service sshd is active\nstderr: FAIL service nginx is inactive');
    expect(data?.reason).toMatch(/^ssm:linux failed: Lifeboat-HealthCheck-Linux: Failed, exit 1\n/);
  });

  it('an agent that never comes online: ssm-agent-online FAILED at its timeout, later checks SKIPPED', async () => {
    const verifyServer = createVerifyServerHandler();

    const [verdict] = await deliver(verifyServer, executionStarted('exec-noagent', { 'noagent-1': { ssmAgentTimeoutSeconds: 1, healthChecks: [HEALTH_CHECK] } }), launchOf('exec-noagent', 'noagent-1'));

    expect(verdict?.entry.DetailType).toBe('ServerVerificationFailed');
    const data = verdict?.detail.data;
    expect(statuses(data)).toEqual([
      ['ec2-running-and-status-checks', 'PASSED'],
      ['ssm-agent-online', 'FAILED'],
      ['ssm:linux', 'SKIPPED'],
      ['drs-post-launch-actions', 'SKIPPED'],
    ]);
    expect(data?.checks[1]?.output).toMatch(/^timed out after 1 s \(the SSM agent of i-[0-9a-f]+ has not registered\)$/);
    expect(data?.checks[1]?.durationMs).toBeGreaterThanOrEqual(1_000);
    expect(data?.reason).toMatch(/^ssm-agent-online failed: timed out after 1 s/);
  });

  it('a post-launch action failure: drs-post-launch-actions FAILED naming the action and DRS\'s reason', async () => {
    const verifyServer = createVerifyServerHandler();

    const [verdict] = await deliver(verifyServer, executionStarted('exec-action', { 'action-1': {} }), launchOf('exec-action', 'action-1'));

    expect(verdict?.entry.DetailType).toBe('ServerVerificationFailed');
    const data = verdict?.detail.data;
    expect(statuses(data)).toEqual([
      ['ec2-running-and-status-checks', 'PASSED'],
      ['ssm-agent-online', 'PASSED'],
      ['drs-post-launch-actions', 'FAILED'],
    ]);
    expect(data?.checks[2]?.output).toBe('post-launch action Smoke test FAILED: SSM document AWS-RunShellScript ended Failed');
  });

  it('a launch that overtook its ExecutionStarted is verified with the defaults', async () => {
    const [verdict] = await deliver(createVerifyServerHandler(), launchOf('exec-not-started-yet', 'healthy-1'));

    expect(verdict?.entry.DetailType).toBe('ServerVerified');
    expect(statuses(verdict?.detail.data)).toEqual([
      ['ec2-running-and-status-checks', 'PASSED'],
      ['ssm-agent-online', 'PASSED'],
      ['drs-post-launch-actions', 'PASSED'],
    ]);
  });

  it('a redelivered launch is verified once; a second launch event of the same server does not send its health check again', async () => {
    const verifyServer = createVerifyServerHandler();
    const started = executionStarted('exec-again', { 'healthy-1': { healthChecks: [HEALTH_CHECK] } });
    const launch = launchOf('exec-again', 'healthy-1');
    const sends = () => ssmCalls('SendCommand').filter((c) => JSON.stringify(c.input).includes('exec-again')).length;

    const published = await deliver(verifyServer, started, launch, structuredClone(launch), structuredClone(started));
    expect(published.map((p) => p.entry.DetailType)).toEqual(['ServerVerified']);
    expect(sends()).toBe(1);

    // A new event for the same launch (as after a crash between the command and the verdict): the command is found by its comment.
    const [again] = await deliver(verifyServer, launchOf('exec-again', 'healthy-1'));
    expect(again?.entry.DetailType).toBe('ServerVerified');
    expect(sends()).toBe(1);
  });

  it('rejects a ServerLaunched that breaks its contract, and publishes nothing', async () => {
    eventBridge.reset();
    const launch = envelopeOf(serverLaunched({ sourceServerId: 'web-1' }));

    await expect(createVerifyServerHandler()(launch, lambdaContext('lifeboat-verification-test-verifyServer'))).rejects.toThrow(/ServerLaunched does not match its schema/);
    expect(eventBridge.events()).toHaveLength(0);
  });
});
