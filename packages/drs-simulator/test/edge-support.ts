/**
 * Shared by the edge-*.int tests: a two-account fleet with roles and scripted SSM outcomes, the
 * unmodified SDK clients of DRS, EC2, SSM and STS pointed at a simulator, and launches driven by a
 * ManualClock (so status checks, agents and commands move only when a test advances time).
 */
import { DescribeSourceServersCommand, DrsClient, StartRecoveryCommand, type Job } from '@aws-sdk/client-drs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { ManualClock, startDrsSimulator, type DrsSimulatorHandle, type Fleet, type StartDrsSimulatorOptions } from '../src/index.js';

export const HUB = '123456789012';
export const SPOKE = '222233334444';
export const HUB_KEY = 'AKIDHUBLIFEBOAT';
export const SPOKE_KEY = 'AKIDSPOKELIFEBOAT';
export const SPOKE_ROLE = `arn:aws:iam::${SPOKE}:role/LifeboatDrsAccess`;
export const PARTNER_ROLE = `arn:aws:iam::${SPOKE}:role/PartnerAudit`;
export const PARTNER_EXTERNAL_ID = 'lifeboat-ext-42';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const hubCredentials: AwsCredentials = { accessKeyId: HUB_KEY, secretAccessKey: 'hub-secret' };
export const spokeCredentials: AwsCredentials = { accessKeyId: SPOKE_KEY, secretAccessKey: 'spoke-secret' };

/** Hub (us-east-1, eu-west-1) and spoke (us-east-1) accounts, with SSM scripts per server. */
export function edgeFleet(): Fleet {
  const hub = (hostname: string, extra: Partial<Fleet['servers'][number]> = {}): Fleet['servers'][number] => ({
    hostname, os: 'LINUX', accountId: HUB, region: 'us-east-1', tags: { App: 'Shop', Tier: 'Web' }, ...extra,
  });
  return {
    accounts: [
      { accountId: HUB, regions: ['us-east-1', 'eu-west-1'], accessKeyIds: [HUB_KEY] },
      {
        accountId: SPOKE,
        regions: ['us-east-1'],
        accessKeyIds: [SPOKE_KEY],
        roles: [
          { roleName: 'LifeboatDrsAccess', trustedAccountIds: [HUB] },
          { roleName: 'PartnerAudit', trustedAccountIds: [HUB], externalId: PARTNER_EXTERNAL_ID },
        ],
      },
    ],
    servers: [
      hub('web-1', { ssm: { stdout: 'web-1 healthy\n' } }),
      hub('web-2'),
      hub('web-3'),
      hub('api-1', { tags: { App: 'Shop', Tier: 'App' } }),
      hub('api-2', { tags: { App: 'Shop', Tier: 'App' } }),
      hub('db-1', { tags: { App: 'Shop', Tier: 'Database' }, recommendedInstanceType: 'r5.xlarge' }),
      hub('win-1', { os: 'WINDOWS', tags: { App: 'Files', Tier: 'Storage' } }),
      hub('noagent-1', { tags: { App: 'Legacy' }, ssm: { agentOnline: false } }),
      hub('fail-1', { tags: { App: 'Batch' }, ssm: { commandStatus: 'Failed', stdout: 'starting\n', stderr: 'health check failed: exit 3\n' } }),
      hub('slow-1', { tags: { App: 'Batch' }, ssm: { commandStatus: 'TimedOut' } }),
      hub('late-1', { tags: { App: 'Batch' }, ssm: { agentDelaySeconds: 600 } }),
      { hostname: 'spoke-db-1', os: 'LINUX', accountId: SPOKE, region: 'us-east-1', tags: { App: 'Ledger' } },
    ],
  };
}

export interface EdgeTestBed {
  handle: DrsSimulatorHandle;
  clock: ManualClock;
  clients(credentials: AwsCredentials, region?: string): { drs: DrsClient; ec2: EC2Client; ssm: SSMClient; sts: STSClient };
  /** Source server ids by hostname, as the given account sees them. */
  serverIds(drs: DrsClient): Promise<Record<string, string>>;
  /** Starts a drill of the hosts and advances the clock until its job completes. */
  launch(drs: DrsClient, hostnames: string[]): Promise<Job>;
  close(): Promise<void>;
}

export async function edgeTestBed(options: StartDrsSimulatorOptions = {}): Promise<EdgeTestBed> {
  const clock = new ManualClock('2025-03-01T08:00:00.000Z');
  const handle = await startDrsSimulator({ fleet: edgeFleet(), timeScale: 1, seed: 11, clock, ...options });
  const made: { destroy(): void }[] = [];
  const bed: EdgeTestBed = {
    handle,
    clock,
    clients(credentials, region = 'us-east-1') {
      const config = { endpoint: handle.url, region, credentials, maxAttempts: 1 };
      const set = { drs: new DrsClient(config), ec2: new EC2Client(config), ssm: new SSMClient(config), sts: new STSClient(config) };
      made.push(set.drs, set.ec2, set.ssm, set.sts);
      return set;
    },
    async serverIds(drs) {
      const { items } = await drs.send(new DescribeSourceServersCommand({}));
      return Object.fromEntries((items ?? []).map((s) => [s.sourceProperties?.identificationHints?.hostname ?? '', s.sourceServerID ?? '']));
    },
    async launch(drs, hostnames) {
      const ids = await bed.serverIds(drs);
      const { job } = await drs.send(new StartRecoveryCommand({
        isDrill: true,
        sourceServers: hostnames.map((h) => ({ sourceServerID: ids[h] ?? `unknown host ${h}` })),
      }));
      const jobID = job?.jobID ?? '';
      for (let i = 0; i < 24 * 60; i++) {
        const done = handle.simulator.jobs().find((j) => j.jobID === jobID);
        if (done?.status === 'COMPLETED') return done as Job;
        clock.advance(5_000);
      }
      throw new Error(`job ${jobID} did not complete`);
    },
    async close() {
      for (const client of made) client.destroy();
      await handle.close();
    },
  };
  return bed;
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; $fault?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

/** JSON from the control API. */
export async function control<T = Record<string, unknown>>(handle: DrsSimulatorHandle, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${handle.url}/_simulator/${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}
