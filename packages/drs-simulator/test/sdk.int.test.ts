import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  ConflictException, DescribeJobsCommand, DescribeRecoveryInstancesCommand, DescribeSourceServersCommand, DrsClient,
  ListTagsForResourceCommand, ResourceNotFoundException, ServiceQuotaExceededException, StartRecoveryCommand,
  TagResourceCommand, TerminateRecoveryInstancesCommand, UninitializedAccountException, UntagResourceCommand,
  ValidationException, paginateDescribeJobs, paginateDescribeSourceServers, type Job,
} from '@aws-sdk/client-drs';
import { QUOTA_CODES, demoFleet, startDrsSimulator, type DrsSimulatorHandle } from '../src/index.js';
import { isLaunchResultEvent, type DrsLaunchResultEvent } from '../src/model.js';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'x' };
const clients: DrsClient[] = [];
function clientFor(handle: DrsSimulatorHandle, region = 'us-east-1', accessKeyId = credentials.accessKeyId): DrsClient {
  const client = new DrsClient({ endpoint: handle.url, region, credentials: { ...credentials, accessKeyId }, maxAttempts: 1 });
  clients.push(client);
  return client;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function completedJob(client: DrsClient, jobID: string): Promise<Job> {
  return until(`job ${jobID} to complete`, async () => {
    const { items } = await client.send(new DescribeJobsCommand({ filters: { jobIDs: [jobID] } }));
    const job = items?.[0];
    return job?.status === 'COMPLETED' ? job : undefined;
  });
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

async function allServerIds(client: DrsClient): Promise<Record<string, string>> {
  const byHost: Record<string, string> = {};
  for await (const page of paginateDescribeSourceServers({ client, pageSize: 4 }, {})) {
    for (const s of page.items ?? []) byHost[s.sourceProperties?.identificationHints?.hostname ?? ''] = s.sourceServerID ?? '';
  }
  return byHost;
}

describe('DrsClient against the simulator (fast launches)', () => {
  let handle: DrsSimulatorHandle;
  let drs: DrsClient;
  const events: DrsLaunchResultEvent[] = [];

  beforeAll(async () => {
    handle = await startDrsSimulator({ timeScale: 0.001, seed: 5, publishEvents: async (batch) => { events.push(...batch.filter(isLaunchResultEvent)); } });
    drs = clientFor(handle);
  });
  afterAll(async () => {
    await handle.close();
  });

  it('walks every page of DescribeSourceServers with a small page size', async () => {
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of paginateDescribeSourceServers({ client: drs, pageSize: 2 }, {})) {
      pages.push(page.items?.length ?? 0);
      ids.push(...(page.items ?? []).map((s) => s.sourceServerID ?? ''));
    }
    const expected = handle.simulator.sourceServers().map((s) => s.sourceServerID);
    expect(ids).toEqual(expected);
    expect(pages).toEqual([2, 2, 2, 2, 1]);
    for (const id of ids) expect(id).toMatch(/^s-[0-9a-f]{17}$/);
  });

  it('answers the filters of DescribeSourceServers', async () => {
    const byHost = await allServerIds(drs);
    const wanted = [byHost['orders-db-1'] ?? '', byHost['orders-web-2'] ?? ''];
    const { items } = await drs.send(new DescribeSourceServersCommand({ filters: { sourceServerIDs: wanted } }));
    expect(items?.map((s) => s.sourceServerID)).toEqual(wanted);
    expect(items?.[0]).toMatchObject({
      arn: `arn:aws:drs:us-east-1:123456789012:source-server/${wanted[0]}`,
      tags: { App: 'Orders', Tier: 'Database' },
      dataReplicationInfo: { dataReplicationState: 'CONTINUOUS' },
      sourceProperties: { identificationHints: { hostname: 'orders-db-1' }, os: { fullString: expect.stringContaining('Linux') } },
    });
  });

  it('launches a drill of the Orders app: the job completes with every server LAUNCHED and one event per server', async () => {
    const byHost = await allServerIds(drs);
    const orders = Object.entries(byHost).filter(([host]) => host.startsWith('orders-')).map(([, id]) => id);
    expect(orders).toHaveLength(6);
    const started = await drs.send(new StartRecoveryCommand({
      isDrill: true,
      sourceServers: orders.map((sourceServerID) => ({ sourceServerID })),
      tags: { 'lifeboat:execution-id': 'exec-int-1' },
    }));
    expect(started.$metadata.httpStatusCode).toBe(202);
    const jobID = started.job?.jobID ?? '';
    expect(jobID).toMatch(/^drsjob-[0-9a-f]{17}$/);
    expect(started.job).toMatchObject({ type: 'LAUNCH', initiatedBy: 'START_DRILL', status: 'PENDING' });

    const job = await completedJob(drs, jobID);
    expect(job.participatingServers?.map((p) => p.launchStatus)).toEqual(orders.map(() => 'LAUNCHED'));
    expect(job.endDateTime).toEqual(expect.any(String));

    await until('six launch events', async () => (events.filter((e) => e.detail['job-id'] === jobID).length === 6 ? true : undefined));
    const mine = events.filter((e) => e.detail['job-id'] === jobID);
    expect(new Set(mine.map((e) => e.resources[0]))).toEqual(new Set(orders.map((id) => `arn:aws:drs:us-east-1:123456789012:source-server/${id}`)));
    expect(mine.every((e) => e.source === 'aws.drs' && e['detail-type'] === 'DRS Source Server Launch Result'
      && e.detail.state === 'RECOVERY_LAUNCH_SUCCEEDED' && e.detail['is-drill'] === 'TRUE')).toBe(true);

    const { items: instances } = await drs.send(new DescribeRecoveryInstancesCommand({ filters: { sourceServerIDs: orders } }));
    expect(instances).toHaveLength(6);
    for (const instance of instances ?? []) {
      expect(instance).toMatchObject({ ec2InstanceState: 'RUNNING', isDrill: true, jobID });
      expect(instance.ec2InstanceID).toBe(instance.recoveryInstanceID);
    }
    expect(handle.simulator.checkInvariants().ok).toBe(true);
  });

  it('completes a job with the stalled server FAILED and reports RECOVERY_LAUNCH_FAILED', async () => {
    const byHost = await allServerIds(drs);
    const { job } = await drs.send(new StartRecoveryCommand({
      sourceServers: [{ sourceServerID: byHost['legacy-erp-1'] ?? '' }, { sourceServerID: byHost['monitoring-1'] ?? '' }],
    }));
    const done = await completedJob(drs, job?.jobID ?? '');
    expect(done.participatingServers?.map((p) => p.launchStatus)).toEqual(['FAILED', 'LAUNCHED']);
    await until('the failure event', async () => events.find((e) => e.detail['job-id'] === job?.jobID && e.detail.state === 'RECOVERY_LAUNCH_FAILED'));
  });

  it('terminates recovery instances with a TERMINATE job', async () => {
    const { items } = await drs.send(new DescribeRecoveryInstancesCommand({}));
    const ids = (items ?? []).filter((i) => i.ec2InstanceState === 'RUNNING').slice(0, 2).map((i) => i.recoveryInstanceID ?? '');
    const { job } = await drs.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: ids }));
    expect(job).toMatchObject({ type: 'TERMINATE', initiatedBy: 'TERMINATE_RECOVERY_INSTANCES' });
    await completedJob(drs, job?.jobID ?? '');
    // Terminated recovery instances are deleted from DRS; EC2 still reports them terminated.
    const after = await drs.send(new DescribeRecoveryInstancesCommand({ filters: { recoveryInstanceIDs: ids } }));
    expect(after.items).toEqual([]);
    expect(handle.simulator.ec2Instances().filter((i) => ids.includes(i.instanceId)).map((i) => i.state.name)).toEqual(['terminated', 'terminated']);
    const again = await errorOf(drs.send(new TerminateRecoveryInstancesCommand({ recoveryInstanceIDs: ids })));
    expect(again).toBeInstanceOf(ResourceNotFoundException);
  });

  it('pages DescribeJobs', async () => {
    const ids: string[] = [];
    for await (const page of paginateDescribeJobs({ client: drs, pageSize: 1 }, {})) ids.push(...(page.items ?? []).map((j) => j.jobID ?? ''));
    expect(ids).toEqual(handle.simulator.jobs().map((j) => j.jobID));
    expect(ids.length).toBeGreaterThanOrEqual(3);
  });

  it('tags and untags resources by ARN (the ARN travels percent-encoded in the path)', async () => {
    const [job] = handle.simulator.jobs();
    const resourceArn = job?.arn ?? '';
    await drs.send(new TagResourceCommand({ resourceArn, tags: { Owner: 'dr-team', Cost: '42' } }));
    await drs.send(new UntagResourceCommand({ resourceArn, tagKeys: ['Cost'] }));
    const { tags } = await drs.send(new ListTagsForResourceCommand({ resourceArn }));
    expect(tags).toEqual({ 'lifeboat:execution-id': 'exec-int-1', Owner: 'dr-team' });
    const missing = await errorOf(drs.send(new ListTagsForResourceCommand({ resourceArn: resourceArn.replace(/drsjob-\w+$/, 'drsjob-00000000000000000') })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it('serves the control API and records every call', async () => {
    const health = await fetch(`${handle.url}/_simulator/health`).then((r) => r.json()) as { status: string; sourceServers: number };
    expect(health).toMatchObject({ status: 'ok', sourceServers: demoFleet().servers.length });
    const { calls } = await fetch(`${handle.url}/_simulator/calls`).then((r) => r.json()) as { calls: { operation: string; accessKeyId?: string }[] };
    expect(calls.map((c) => c.operation)).toEqual(expect.arrayContaining(['DescribeSourceServers', 'StartRecovery', 'DescribeJobs', 'TagResource', 'UntagResource', 'ListTagsForResource']));
    expect(calls.every((c) => c.accessKeyId === 'AKIDLOCAL')).toBe(true);
    const invariants = await fetch(`${handle.url}/_simulator/invariants`).then((r) => r.json()) as { ok: boolean };
    expect(invariants.ok).toBe(true);

    const unknown = await fetch(`${handle.url}/DescribeEverything`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(await unknown.json()).toEqual({ message: expect.stringContaining('DescribeEverything') });
    const badJson = await fetch(`${handle.url}/DescribeJobs`, { method: 'POST', body: '{nope' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ reason: 'cannotParse' });

    expect((await fetch(`${handle.url}/_simulator/reset`, { method: 'POST' })).status).toBe(200);
    expect(handle.simulator.jobs()).toEqual([]);
    expect(handle.simulator.callLog).toEqual([]);
  });
});

describe('DrsClient errors from the simulator (slow launches, small quotas)', () => {
  let handle: DrsSimulatorHandle;
  let drs: DrsClient;
  let ids: Record<string, string>;

  beforeAll(async () => {
    handle = await startDrsSimulator({ timeScale: 1, quotas: { maxSourceServersPerJob: 3, maxConcurrentJobs: 2 } });
    drs = clientFor(handle);
    ids = await allServerIds(drs);
  });
  afterAll(async () => {
    await handle.close();
  });

  const launch = (...hosts: string[]) => drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: hosts.map((h) => ({ sourceServerID: ids[h] ?? '' })) }));

  it('raises ValidationException with reason and fieldList', async () => {
    const error = await errorOf(drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: 'server-1234567890ab' }] })));
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect((error as ValidationException).reason).toBe('fieldValidationFailed');
    expect((error as ValidationException).fieldList).toEqual([{ name: 'sourceServers[0].sourceServerID', message: expect.stringContaining('s-[0-9a-zA-Z]{17}') }]);
    const paging = await errorOf(drs.send(new DescribeSourceServersCommand({ maxResults: 0 }))); // StrictlyPositiveInteger: min 1 (no maximum)
    expect((paging as ValidationException).fieldList?.[0]?.name).toBe('maxResults');
  });

  it('raises ServiceQuotaExceededException past the per-job quota', async () => {
    const error = await errorOf(launch('orders-db-1', 'orders-db-2', 'orders-app-1', 'orders-app-2'));
    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    expect(error.$metadata?.httpStatusCode).toBe(402);
    expect(error).toMatchObject({ quotaCode: QUOTA_CODES.sourceServersPerJob, serviceCode: 'drs' });
  });

  it('raises ConflictException for a server already in an active job', async () => {
    const first = await launch('orders-db-1');
    expect(first.job?.status).toBe('PENDING');
    const error = await errorOf(launch('orders-db-1'));
    expect(error).toBeInstanceOf(ConflictException);
    expect(error.$metadata?.httpStatusCode).toBe(409);
    expect(error).toMatchObject({ resourceId: ids['orders-db-1'], resourceType: 'SOURCE_SERVER' });
  });

  it('raises ServiceQuotaExceededException past the concurrent jobs quota', async () => {
    await launch('orders-db-2');
    const error = await errorOf(launch('orders-app-1'));
    expect(error).toBeInstanceOf(ServiceQuotaExceededException);
    expect(error).toMatchObject({ quotaCode: QUOTA_CODES.concurrentJobs });
    const report = handle.simulator.checkInvariants();
    expect(report.quotaRejections).toHaveLength(2);
    expect(report.conflicts).toHaveLength(1);
  });

  it('raises ResourceNotFoundException for an unknown server and UninitializedAccountException outside the fleet regions', async () => {
    const missing = await errorOf(drs.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: 's-00000000000000000' }] })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    const elsewhere = await errorOf(clientFor(handle, 'eu-west-1').send(new DescribeSourceServersCommand({})));
    expect(elsewhere).toBeInstanceOf(UninitializedAccountException);
    expect(elsewhere.$metadata?.httpStatusCode).toBe(400);
  });
});

describe('accounts, endpoint variable and determinism', () => {
  it('acts as the account that lists the access key id, in the region of the credential scope', async () => {
    const handle = await startDrsSimulator({
      fleet: {
        accounts: [
          { accountId: '111111111111', regions: ['us-east-1'] },
          { accountId: '222222222222', regions: ['us-east-1', 'us-west-2'], accessKeyIds: ['AKIDSECOND'] },
        ],
        servers: [
          { hostname: 'first-east', os: 'LINUX', accountId: '111111111111', region: 'us-east-1' },
          { hostname: 'second-east', os: 'LINUX', accountId: '222222222222', region: 'us-east-1' },
          { hostname: 'second-west', os: 'WINDOWS', accountId: '222222222222', region: 'us-west-2' },
        ],
      },
    });
    try {
      const hosts = async (client: DrsClient) => (await client.send(new DescribeSourceServersCommand({}))).items?.map((s) => s.sourceProperties?.identificationHints?.hostname);
      expect(await hosts(clientFor(handle, 'us-east-1', 'AKIDANY'))).toEqual(['first-east']);
      expect(await hosts(clientFor(handle, 'us-east-1', 'AKIDSECOND'))).toEqual(['second-east']);
      expect(await hosts(clientFor(handle, 'us-west-2', 'AKIDSECOND'))).toEqual(['second-west']);
    } finally {
      await handle.close();
    }
  });

  it('is reachable through AWS_ENDPOINT_URL_DRS with no endpoint in the client config', async () => {
    const handle = await startDrsSimulator({});
    const saved = process.env.AWS_ENDPOINT_URL_DRS;
    process.env.AWS_ENDPOINT_URL_DRS = handle.url;
    try {
      const client = new DrsClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
      clients.push(client);
      const { items } = await client.send(new DescribeSourceServersCommand({}));
      expect(items).toHaveLength(demoFleet().servers.length);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_DRS;
      else process.env.AWS_ENDPOINT_URL_DRS = saved;
      await handle.close();
    }
  });

  it('gives the same source server, job and recovery instance ids for the same seed', async () => {
    const run = async (seed: number) => {
      const handle = await startDrsSimulator({ seed, timeScale: 0.001 });
      try {
        const client = clientFor(handle);
        const byHost = await allServerIds(client);
        const { job } = await client.send(new StartRecoveryCommand({ sourceServers: [{ sourceServerID: byHost['orders-web-1'] ?? '' }] }));
        const done = await completedJob(client, job?.jobID ?? '');
        return { servers: byHost, jobID: job?.jobID, instance: done.participatingServers?.[0]?.recoveryInstanceID };
      } finally {
        await handle.close();
      }
    };
    const a = await run(99);
    expect(await run(99)).toEqual(a);
    const c = await run(100);
    expect(c.jobID).not.toBe(a.jobID);
    expect(c.servers['orders-web-1']).not.toBe(a.servers['orders-web-1']);
  });
});

afterAll(() => {
  for (const client of clients) client.destroy();
});
