/**
 * Catalog and planning through the local stack, as a client: GraphQL over HTTP with the admin's
 * token, against the demo (protection groups Database / App / Web over the Orders servers, plan
 * "Orders 3-tier"; fileserver-1, monitoring-1 and legacy-erp-1 (STALLED) in no group).
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { eventually, graphql, login, startStackProcess, type RunningStack } from '../support/local-stack-process.js';
import { HEALTHY_LAUNCHES, launchInvariants } from '../support/drs-audit.js';

const ADMIN_PASSWORD = 'scenario-admin-password';

// Starting the stack and running drills take longer than jest's default 5 s.
jest.setTimeout(180_000);

interface GraphQLError {
  message: string;
  extensions?: { code?: string; field?: string; problems?: { field: string; message: string }[] };
}

interface Server {
  id: string;
  hostname: string;
  accountId: string;
  region: string;
  replicationState: string;
  readyForRecovery: boolean;
  notReadyReason: string | null;
  tags: { key: string; value: string }[];
  protectionGroup: { id: string; name: string | null } | null;
}

interface Group {
  id: string;
  name: string;
  accountId: string;
  region: string;
  sourceServerIds: string[];
  explicitSourceServerIds: string[];
  tagSelectors: { tags: { key: string; value: string }[] }[];
  revision: number;
}

interface Finding {
  severity: 'ERROR' | 'WARNING' | 'INFO';
  code: string;
  field: string;
  message: string;
}

interface ExecutionDetail {
  id: string;
  status: string;
  planVersion: number;
  waves: { id: string; name: string; status: string; launchOrder: string; servers: { sourceServerId: string; hostname: string; status: string; criticality: string }[] }[];
}

interface StreamEvent {
  streamVersion: number;
  type: string;
  data: { waveId?: string; sourceServerId?: string };
}

const SERVER_FIELDS = 'id hostname accountId region replicationState readyForRecovery notReadyReason tags { key value } protectionGroup { id name }';
const GROUP_FIELDS = 'id name accountId region sourceServerIds explicitSourceServerIds tagSelectors { tags { key value } } revision';
const FINDING_FIELDS = 'severity code field message';
const EXECUTION_FIELDS = 'id status planVersion waves { id name status launchOrder servers { sourceServerId hostname status criticality } }';

describe('catalog and planning through the local stack', () => {
  let stack: RunningStack;
  let token: string;
  let servers: Server[];
  let groups: Group[];

  /** Runs an operation that must succeed, answering its data. */
  async function ok<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await graphql<T>(stack.url, token, query, variables);
    if (result.errors || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /** Runs an operation that must fail, answering its first error. */
  async function refused(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLError> {
    const result = (await graphql<unknown>(stack.url, token, query, variables)) as { data?: unknown; errors?: GraphQLError[] };
    const error = result.errors?.[0];
    if (!error) throw new Error(`expected an error, got ${JSON.stringify(result.data)}`);
    return error;
  }

  const serverNamed = (hostname: string): Server => {
    const server = servers.find((s) => s.hostname === hostname);
    if (!server) throw new Error(`no server ${hostname} in the demo fleet`);
    return server;
  };
  const groupNamed = (name: string): Group => {
    const group = groups.find((g) => g.name === name);
    if (!group) throw new Error(`no protection group ${name} in the demo`);
    return group;
  };

  async function listGroups(): Promise<Group[]> {
    return (await ok<{ protectionGroups: { items: Group[] } }>(`{ protectionGroups(first: 1000) { items { ${GROUP_FIELDS} } } }`)).protectionGroups.items;
  }

  /** Starts a DRILL of a plan and waits until it is over; answers the execution and its stream. */
  async function drill(planId: string): Promise<{ execution: ExecutionDetail; stream: StreamEvent[] }> {
    const started = await ok<{ startExecution: { id: string } }>('mutation($input: StartExecutionInput!) { startExecution(input: $input) { id } }', { input: { planId, mode: 'DRILL' } });
    const executionId = started.startExecution.id;
    const execution = await eventually(
      async () => {
        const data = await ok<{ execution: ExecutionDetail | null }>(`query($id: ID!) { execution(id: $id) { ${EXECUTION_FIELDS} } }`, { id: executionId });
        return data.execution && ['COMPLETED', 'FAILED'].includes(data.execution.status) ? data.execution : undefined;
      },
      120_000,
      `the drill of ${planId} finishing`,
    );
    const stream = (await ok<{ executionEvents: StreamEvent[] }>('query($id: ID!) { executionEvents(id: $id) { streamVersion type data } }', { id: executionId })).executionEvents;
    // DRS never launched a server twice in an execution nor refused a launch for quota.
    expect(await launchInvariants(stack.drsUrl)).toEqual(HEALTHY_LAUNCHES);
    // Cleaned up, as before the next test of the same servers (Lifeboat refuses a drill over live drill instances).
    if (stream.some((e) => e.type === 'ServerLaunched')) {
      await ok('mutation($id: ID!) { cleanupDrill(id: $id) { id } }', { id: executionId });
      await eventually(async () => {
        const data = await ok<{ execution: { cleanup: { status: string } | null } | null }>('query($id: ID!) { execution(id: $id) { cleanup { status } } }', { id: executionId });
        return data.execution?.cleanup?.status === 'COMPLETED' ? true : undefined;
      }, 60_000, `the cleanup of ${executionId}`);
    }
    return { execution, stream };
  }

  const eventsOf = (stream: StreamEvent[], type: string, filter: (e: StreamEvent) => boolean = () => true) => stream.filter((e) => e.type === type && filter(e));
  const versionOf = (stream: StreamEvent[], type: string, filter: (e: StreamEvent) => boolean): number => {
    const event = stream.find((e) => e.type === type && filter(e));
    if (!event) throw new Error(`no ${type} in the stream: ${stream.map((e) => e.type).join(', ')}`);
    return event.streamVersion;
  };

  beforeAll(async () => {
    stack = await startStackProcess({ adminPassword: ADMIN_PASSWORD });
    token = await login(stack.url, 'admin', ADMIN_PASSWORD);
    servers = (await ok<{ sourceServers: { items: Server[] } }>(`{ sourceServers(first: 1000) { items { ${SERVER_FIELDS} } } }`)).sourceServers.items;
    groups = await listGroups();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('catalog: the demo fleet with readiness and groups, filters, sort, one server, target accounts and a sync', async () => {
    expect(servers.map((s) => s.hostname).sort()).toEqual(['fileserver-1', 'legacy-erp-1', 'monitoring-1', 'orders-app-1', 'orders-app-2', 'orders-db-1', 'orders-db-2', 'orders-web-1', 'orders-web-2']);
    const erp = serverNamed('legacy-erp-1');
    expect(erp).toMatchObject({ replicationState: 'STALLED', readyForRecovery: false, protectionGroup: null });
    expect(erp.notReadyReason).toMatch(/stalled/);
    expect(serverNamed('orders-db-1').protectionGroup).toEqual({ id: groupNamed('Database').id, name: 'Database' });

    const notReady = await ok<{ sourceServers: { items: Server[] } }>('{ sourceServers(filter: { ready: false }) { items { hostname } } }');
    expect(notReady.sourceServers.items.map((s) => s.hostname)).toEqual(['legacy-erp-1']);
    const database = await ok<{ sourceServers: { items: Server[] } }>('query($id: ID!) { sourceServers(filter: { protectionGroupId: $id }, sort: { field: HOSTNAME, direction: DESC }) { items { hostname } } }', { id: groupNamed('Database').id });
    expect(database.sourceServers.items.map((s) => s.hostname)).toEqual(['orders-db-2', 'orders-db-1']);
    const webTier = await ok<{ sourceServers: { items: Server[] } }>('{ sourceServers(filter: { tag: { key: "Tier", value: "Web" }, search: "WEB-" }) { items { hostname } } }');
    expect(webTier.sourceServers.items.map((s) => s.hostname)).toEqual(['orders-web-1', 'orders-web-2']);
    const firstPage = await ok<{ sourceServers: { items: Server[]; nextCursor: string | null } }>('{ sourceServers(first: 4) { items { hostname } nextCursor } }');
    expect(firstPage.sourceServers.nextCursor).not.toBeNull();

    const one = await ok<{ sourceServer: Server | null }>(`query($id: ID!) { sourceServer(id: $id) { ${SERVER_FIELDS} } }`, { id: erp.id });
    expect(one.sourceServer).toEqual(erp);
    expect((await ok<{ sourceServer: Server | null }>('{ sourceServer(id: "s-00000000000000000") { id } }')).sourceServer).toBeNull();

    const accounts = await ok<{ targetAccounts: { accountId: string; isDefault: boolean; sync: { region: string; status: string; serverCount: number | null }[] }[] }>(
      '{ targetAccounts { accountId isDefault sync { region status serverCount } } }',
    );
    expect(accounts.targetAccounts).toEqual([{ accountId: erp.accountId, isDefault: true, sync: [{ region: erp.region, status: 'SUCCEEDED', serverCount: 9 }] }]);
    const sync = await ok<{ syncSourceServers: { discovered: number; removed: number; targets: { status: string; serverCount: number }[] } }>('mutation { syncSourceServers { discovered removed targets { status serverCount } } }');
    expect(sync.syncSourceServers).toEqual({ discovered: 0, removed: 0, targets: [{ status: 'SUCCEEDED', serverCount: 9 }] });
  });

  it('(a) a database-only plan with a SEQUENTIAL wave launches its servers one after the other, in boot order', async () => {
    const db1 = serverNamed('orders-db-1');
    const db2 = serverNamed('orders-db-2');
    // Boot order against the group's own order, so that the launches can only follow the boot order.
    const input = {
      name: 'Orders database only',
      description: 'The Orders databases, one at a time',
      waves: [
        {
          name: 'Database',
          launchOrder: 'SEQUENTIAL',
          protectionGroupIds: [groupNamed('Database').id],
          servers: [
            { sourceServerId: db2.id, bootOrder: 1 },
            { sourceServerId: db1.id, bootOrder: 2 },
          ],
        },
      ],
    };
    const validation = await ok<{ validateRecoveryPlan: { valid: boolean; findings: Finding[] } }>(`query($input: ValidateRecoveryPlanInput!) { validateRecoveryPlan(input: $input) { valid findings { ${FINDING_FIELDS} } } }`, { input });
    expect(validation.validateRecoveryPlan.valid).toBe(true);
    expect(validation.validateRecoveryPlan.findings.filter((f) => f.severity === 'ERROR')).toEqual([]);

    const created = await ok<{ createRecoveryPlan: { id: string; version: number; waves: { launchOrder: string; servers: { sourceServerId: string; bootOrder: number }[] }[]; findings: Finding[] } }>(
      `mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id version waves { launchOrder servers { sourceServerId bootOrder } } findings { ${FINDING_FIELDS} } } }`,
      { input },
    );
    const plan = created.createRecoveryPlan;
    expect(plan.version).toBe(1);
    expect(plan.findings.filter((f) => f.severity === 'ERROR')).toEqual([]);
    expect(plan.waves).toEqual([{ launchOrder: 'SEQUENTIAL', servers: [{ sourceServerId: db2.id, bootOrder: 1 }, { sourceServerId: db1.id, bootOrder: 2 }] }]);

    const { execution, stream } = await drill(plan.id);
    expect(execution.status).toBe('COMPLETED');
    const wave = execution.waves[0];
    expect(wave).toMatchObject({ name: 'Database', launchOrder: 'SEQUENTIAL', status: 'COMPLETED' });
    expect(wave?.servers.map((s) => [s.hostname, s.status])).toEqual([
      ['orders-db-2', 'VERIFIED'],
      ['orders-db-1', 'VERIFIED'],
    ]);

    const requests = eventsOf(stream, 'ServerLaunchRequested');
    expect(requests.map((e) => e.data.sourceServerId)).toEqual([db2.id, db1.id]);
    // orders-db-1 is requested only after orders-db-2 was launched and verified.
    const db2Verified = versionOf(stream, 'ServerVerificationRecorded', (e) => e.data.sourceServerId === db2.id);
    const db2Launched = versionOf(stream, 'ServerLaunched', (e) => e.data.sourceServerId === db2.id);
    const db1Requested = versionOf(stream, 'ServerLaunchRequested', (e) => e.data.sourceServerId === db1.id);
    expect(db2Launched).toBeLessThan(db2Verified);
    expect(db2Verified).toBeLessThan(db1Requested);
  });

  it('(b) boot order across waves: each wave launches only after the wave it depends on completed', async () => {
    const monitoring = serverNamed('monitoring-1');
    const fileserver = serverNamed('fileserver-1');
    // Listed against the dependency order: the DAG, not the list, decides.
    const input = {
      name: 'Orders site failover',
      waves: [
        { name: 'Web', dependsOn: ['App'], protectionGroupIds: [groupNamed('Web').id], sourceServerIds: [fileserver.id] },
        { name: 'App', dependsOn: ['Database'], protectionGroupIds: [groupNamed('App').id], sourceServerIds: [monitoring.id], servers: [{ sourceServerId: monitoring.id, criticality: 'OPTIONAL' }] },
        { name: 'Database', launchOrder: 'SEQUENTIAL', protectionGroupIds: [groupNamed('Database').id], errorPolicy: 'STOP' },
      ],
      settings: { rtoTargetMinutes: 30, drill: { networkIsolation: 'ISOLATED_VPC', autoCleanupAfterHours: 2 } },
    };
    const validation = await ok<{ validateRecoveryPlan: { valid: boolean; findings: Finding[] } }>(`query($input: ValidateRecoveryPlanInput!) { validateRecoveryPlan(input: $input) { valid findings { ${FINDING_FIELDS} } } }`, { input });
    expect(validation.validateRecoveryPlan.valid).toBe(true);
    // The single servers are in no protection group: said, not refused.
    expect(validation.validateRecoveryPlan.findings.filter((f) => f.code === 'UNGROUPED_SERVER').map((f) => f.field).sort()).toEqual(['waves[0].sourceServerIds[0]', 'waves[1].sourceServerIds[0]']);

    const created = await ok<{ createRecoveryPlan: { id: string; waves: { id: string; name: string; dependsOn: string[] }[]; settings: { rtoTargetMinutes: number } } }>(
      'mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id waves { id name dependsOn } settings { rtoTargetMinutes } } }',
      { input },
    );
    const plan = created.createRecoveryPlan;
    const idOf = (name: string) => plan.waves.find((w) => w.name === name)?.id ?? '';
    expect(plan.waves.map((w) => [w.name, w.dependsOn])).toEqual([
      ['Web', [idOf('App')]],
      ['App', [idOf('Database')]],
      ['Database', []],
    ]);
    expect(plan.settings.rtoTargetMinutes).toBe(30);

    const { execution, stream } = await drill(plan.id);
    expect(execution.status).toBe('COMPLETED');
    expect(execution.waves.flatMap((w) => w.servers)).toHaveLength(8);
    expect(execution.waves.find((w) => w.name === 'App')?.servers.find((s) => s.sourceServerId === monitoring.id)?.criticality).toBe('OPTIONAL');

    const inWave = (name: string) => (e: StreamEvent) => e.data.waveId === idOf(name);
    const firstLaunchOf = (name: string) => Math.min(...eventsOf(stream, 'ServerLaunchRequested', inWave(name)).map((e) => e.streamVersion));
    for (const [before, after] of [
      ['Database', 'App'],
      ['App', 'Web'],
    ] as const) {
      const completed = versionOf(stream, 'WaveCompleted', inWave(before));
      expect(versionOf(stream, 'WaveStarted', inWave(after))).toBeGreaterThan(completed);
      expect(firstLaunchOf(after)).toBeGreaterThan(completed);
    }
    const requested = eventsOf(stream, 'ServerLaunchRequested').map((e) => e.data.sourceServerId);
    expect(new Set(requested).size).toBe(8);
    expect(requested).toHaveLength(8);
  });

  it('(c) assigning a server already in another group is refused, naming the server and the group, and nothing is written', async () => {
    const before = await listGroups();
    const db1 = serverNamed('orders-db-1');
    const database = groupNamed('Database');
    const app = groupNamed('App');

    const created = await refused('mutation($input: CreateProtectionGroupInput!) { createProtectionGroup(input: $input) { id } }', {
      input: { name: 'Orders DB copy', accountId: db1.accountId, region: db1.region, sourceServerIds: [db1.id, serverNamed('fileserver-1').id] },
    });
    expect(created.extensions).toMatchObject({ code: 'CONFLICT', field: 'sourceServerIds' });
    expect(created.message).toContain(db1.id);
    expect(created.message).toContain(`'Database' (${database.id})`);

    const updated = await refused('mutation($input: UpdateProtectionGroupInput!) { updateProtectionGroup(input: $input) { id } }', {
      input: { id: app.id, expectedRevision: app.revision, name: app.name, accountId: app.accountId, region: app.region, sourceServerIds: [...app.sourceServerIds, db1.id] },
    });
    expect(updated.extensions?.code).toBe('CONFLICT');
    expect(updated.message).toContain(db1.id);
    expect(updated.message).toContain("'Database'");

    const bySelector = await refused('mutation($input: CreateProtectionGroupInput!) { createProtectionGroup(input: $input) { id } }', {
      input: { name: 'All databases', accountId: db1.accountId, region: db1.region, tagSelectors: [{ tags: [{ key: 'Tier', value: 'Database' }] }] },
    });
    expect(bySelector.extensions?.code).toBe('CONFLICT');
    expect(bySelector.message).toContain("'Database'");

    expect(await listGroups()).toEqual(before);
    expect((await ok<{ sourceServer: Server }>(`query($id: ID!) { sourceServer(id: $id) { ${SERVER_FIELDS} } }`, { id: db1.id })).sourceServer.protectionGroup).toEqual({ id: database.id, name: 'Database' });
  });

  it('a group by tag selector: previewed (free servers and conflicts), then saved, and the catalog learns its members', async () => {
    const erp = serverNamed('legacy-erp-1');
    const site = { accountId: erp.accountId, region: erp.region };

    // Everything in Production: the servers in no group are free, the others are conflicts naming their group.
    const everything = await ok<{ previewProtectionGroup: { sourceServerIds: string[]; servers: { hostname: string; matchedBy: string }[]; conflicts: { sourceServerId: string; protectionGroupName: string }[] } }>(
      'query($input: PreviewProtectionGroupInput!) { previewProtectionGroup(input: $input) { sourceServerIds servers { hostname matchedBy } conflicts { sourceServerId protectionGroupName } } }',
      { input: { ...site, tagSelectors: [{ tags: [{ key: 'Environment', value: 'Production' }] }] } },
    );
    const current = (await ok<{ sourceServers: { items: Server[] } }>(`{ sourceServers(first: 1000) { items { ${SERVER_FIELDS} } } }`)).sourceServers.items;
    const held = current.filter((s) => s.protectionGroup);
    expect(everything.previewProtectionGroup.servers.map((s) => s.hostname).sort()).toEqual(current.filter((s) => !s.protectionGroup).map((s) => s.hostname).sort());
    expect(everything.previewProtectionGroup.conflicts.map((c) => [c.sourceServerId, c.protectionGroupName]).sort()).toEqual(held.map((s) => [s.id, s.protectionGroup?.name]).sort());

    const selector = { tags: [{ key: 'App', value: 'ERP' }, { key: 'Tier', value: 'App' }] };
    const preview = await ok<{ previewProtectionGroup: { sourceServerIds: string[]; servers: { sourceServerId: string; hostname: string; replicationState: string; matchedBy: string }[]; conflicts: unknown[] } }>(
      'query($input: PreviewProtectionGroupInput!) { previewProtectionGroup(input: $input) { sourceServerIds servers { sourceServerId hostname replicationState matchedBy } conflicts { sourceServerId } } }',
      { input: { ...site, name: 'ERP', tagSelectors: [selector] } },
    );
    expect(preview.previewProtectionGroup).toEqual({ sourceServerIds: [erp.id], servers: [{ sourceServerId: erp.id, hostname: 'legacy-erp-1', replicationState: 'STALLED', matchedBy: 'TAGS' }], conflicts: [] });

    const created = await ok<{ createProtectionGroup: Group & { launchDefaults: { copyTags: boolean; launchDisposition: string } } }>(
      `mutation($input: CreateProtectionGroupInput!) { createProtectionGroup(input: $input) { ${GROUP_FIELDS} launchDefaults { copyTags launchDisposition } } }`,
      { input: { ...site, name: 'ERP', tagSelectors: [selector], launchDefaults: { copyTags: true, launchDisposition: 'STARTED' } } },
    );
    const group = created.createProtectionGroup;
    expect(group).toMatchObject({ name: 'ERP', sourceServerIds: [erp.id], explicitSourceServerIds: [], revision: 1, launchDefaults: { copyTags: true, launchDisposition: 'STARTED' } });
    expect(group.tagSelectors).toEqual([{ tags: [{ key: 'App', value: 'ERP' }, { key: 'Tier', value: 'App' }] }]);
    expect((await ok<{ protectionGroup: Group | null }>(`query($id: ID!) { protectionGroup(id: $id) { ${GROUP_FIELDS} } }`, { id: group.id })).protectionGroup).toEqual({
      id: group.id,
      name: 'ERP',
      ...site,
      sourceServerIds: [erp.id],
      explicitSourceServerIds: [],
      tagSelectors: group.tagSelectors,
      revision: 1,
    });

    // The catalog learns the membership from planning's events.
    const members = await eventually(
      async () => {
        const page = await ok<{ sourceServers: { items: Server[] } }>('query($id: ID!) { sourceServers(filter: { protectionGroupId: $id }) { items { hostname protectionGroup { id name } } } }', { id: group.id });
        return page.sourceServers.items.length > 0 ? page.sourceServers.items : undefined;
      },
      30_000,
      'the catalog placing legacy-erp-1 in ERP',
    );
    expect(members).toEqual([{ hostname: 'legacy-erp-1', protectionGroup: { id: group.id, name: 'ERP' } }]);
  });

  it('a plan updated: a new immutable version, its history and the diff; stale updates and bad steps are refused', async () => {
    const database = groupNamed('Database');
    const app = groupNamed('App');
    const [db1, db2] = [serverNamed('orders-db-1'), serverNamed('orders-db-2')];
    const v1Input = { name: 'Orders versioned', waves: [{ name: 'Database', protectionGroupIds: [database.id] }] };
    const v1 = (await ok<{ createRecoveryPlan: { id: string; version: number; changeSummary: string[] } }>('mutation($input: CreateRecoveryPlanInput!) { createRecoveryPlan(input: $input) { id version changeSummary } }', { input: v1Input }))
      .createRecoveryPlan;
    expect(v1).toMatchObject({ version: 1, changeSummary: ['created'] });

    const v2Input = {
      id: v1.id,
      expectedVersion: 1,
      name: 'Orders versioned',
      description: 'Databases one by one, then the app after an approval',
      waves: [
        {
          name: 'Database',
          launchOrder: 'SEQUENTIAL',
          protectionGroupIds: [database.id],
          servers: [{ sourceServerId: db1.id, bootOrder: 1 }, { sourceServerId: db2.id, bootOrder: 2, delaySeconds: 30 }],
          preSteps: [{ type: 'WAIT', durationSeconds: 60 }],
          postSteps: [{ type: 'SSM_DOCUMENT', documentName: 'AWS-RunShellScript', parameters: { commands: ['systemctl is-active postgresql'] }, onFailure: 'CONTINUE' }],
        },
        {
          name: 'App',
          dependsOn: ['Database'],
          protectionGroupIds: [app.id],
          errorPolicy: 'CONTINUE',
          preSteps: [{ type: 'APPROVAL', prompt: 'Databases are up: start the app tier?', approverRole: 'Operator', timeoutSeconds: 3600, onTimeout: 'FAIL' }],
          postSteps: [{ type: 'LAMBDA', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:switch-dns', payload: { zone: 'orders.example.com', ttl: 60 } }],
        },
      ],
      settings: { rtoTargetMinutes: 60, drill: { networkIsolation: 'ISOLATED_VPC', autoCleanupAfterHours: 4 }, notificationTargets: [{ type: 'EMAIL', address: 'dr-team@example.com' }], requireSecondApprover: true },
    };
    const STEP = 'id type name durationSeconds prompt approverRole timeoutSeconds onTimeout documentName parameters targetServerIds onFailure functionArn payload';
    const v2 = (
      await ok<{
        updateRecoveryPlan: {
          id: string;
          version: number;
          description: string;
          changeSummary: string[];
          findings: Finding[];
          waves: { name: string; errorPolicy: string; preSteps: Record<string, unknown>[]; postSteps: Record<string, unknown>[] }[];
          settings: { rtoTargetMinutes: number; drill: { networkIsolation: string; autoCleanupAfterHours: number }; notificationTargets: { type: string; address: string }[]; requireSecondApprover: boolean };
        };
      }>(
        `mutation($input: UpdateRecoveryPlanInput!) { updateRecoveryPlan(input: $input) { id version description changeSummary findings { ${FINDING_FIELDS} }
          waves { name errorPolicy preSteps { ${STEP} } postSteps { ${STEP} } }
          settings { rtoTargetMinutes drill { networkIsolation autoCleanupAfterHours } notificationTargets { type address } requireSecondApprover } } }`,
        { input: v2Input },
      )
    ).updateRecoveryPlan;
    expect(v2).toMatchObject({ id: v1.id, version: 2, description: v2Input.description });
    expect(v2.changeSummary.length).toBeGreaterThan(0);
    expect(v2.findings.filter((f) => f.severity === 'ERROR')).toEqual([]);
    expect(v2.settings).toEqual({ rtoTargetMinutes: 60, drill: { networkIsolation: 'ISOLATED_VPC', autoCleanupAfterHours: 4 }, notificationTargets: [{ type: 'EMAIL', address: 'dr-team@example.com' }], requireSecondApprover: true });
    const [dbWave, appWave] = v2.waves;
    expect(dbWave?.preSteps).toEqual([expect.objectContaining({ type: 'WAIT', durationSeconds: 60, prompt: null })]);
    expect(dbWave?.postSteps).toEqual([expect.objectContaining({ type: 'SSM_DOCUMENT', documentName: 'AWS-RunShellScript', parameters: { commands: ['systemctl is-active postgresql'] }, targetServerIds: [], onFailure: 'CONTINUE' })]);
    expect(appWave).toMatchObject({ name: 'App', errorPolicy: 'CONTINUE' });
    expect(appWave?.preSteps).toEqual([expect.objectContaining({ type: 'APPROVAL', approverRole: 'Operator', timeoutSeconds: 3600, onTimeout: 'FAIL' })]);
    expect(appWave?.postSteps).toEqual([expect.objectContaining({ type: 'LAMBDA', payload: { zone: 'orders.example.com', ttl: 60 }, onFailure: 'FAIL' })]);

    // A second writer that read version 1 is refused.
    const stale = await refused('mutation($input: UpdateRecoveryPlanInput!) { updateRecoveryPlan(input: $input) { version } }', { input: { ...v2Input, description: 'meanwhile' } });
    expect(stale.extensions).toMatchObject({ code: 'CONFLICT', field: 'expectedVersion' });
    // A step with a field of another type is refused, naming it; nothing is written.
    const badStep = await refused('mutation($input: UpdateRecoveryPlanInput!) { updateRecoveryPlan(input: $input) { version } }', {
      input: { ...v2Input, expectedVersion: 2, waves: [{ ...v2Input.waves[0], preSteps: [{ type: 'WAIT', durationSeconds: 60, prompt: 'not a WAIT field' }] }] },
    });
    expect(badStep.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badStep.extensions?.problems?.map((p) => p.field)).toContain('waves[0].preSteps[0].prompt');

    const versions = await ok<{ recoveryPlanVersions: { version: number; changeSummary: string[]; createdBy: string; deleted: boolean }[] }>('query($id: ID!) { recoveryPlanVersions(id: $id) { version changeSummary createdBy deleted } }', { id: v1.id });
    expect(versions.recoveryPlanVersions.map((v) => [v.version, v.createdBy, v.deleted])).toEqual([
      [1, 'admin', false],
      [2, 'admin', false],
    ]);
    expect(versions.recoveryPlanVersions[1]?.changeSummary).toEqual(v2.changeSummary);

    const diff = await ok<{ recoveryPlanDiff: { fromVersion: number; toVersion: number; summary: string[]; waves: { added: string[]; removed: string[]; changed: { name: string; changes: string[] }[] }; planChanges: string[] } }>(
      'query($id: ID!) { recoveryPlanDiff(id: $id, fromVersion: 1, toVersion: 2) { fromVersion toVersion summary waves { added removed changed { name changes } } planChanges } }',
      { id: v1.id },
    );
    expect(diff.recoveryPlanDiff).toMatchObject({ fromVersion: 1, toVersion: 2, waves: { added: ['App'], removed: [] } });
    expect(diff.recoveryPlanDiff.waves.changed.map((c) => c.name)).toEqual(['Database']);
    expect(diff.recoveryPlanDiff.planChanges).toEqual(expect.arrayContaining(['description']));
    expect(diff.recoveryPlanDiff.summary.length).toBeGreaterThan(0);

    // Version 1 stays as it was.
    const first = await ok<{ recoveryPlan: { version: number; waves: { name: string; launchOrder: string }[] } }>('query($id: ID!) { recoveryPlan(id: $id, version: 1) { version waves { name launchOrder } } }', { id: v1.id });
    expect(first.recoveryPlan).toEqual({ version: 1, waves: [{ name: 'Database', launchOrder: 'PARALLEL' }] });

    // Validation returns every problem at once: a cycle, and an empty wave.
    const invalid = await ok<{ validateRecoveryPlan: { valid: boolean; findings: Finding[] } }>(`query($input: ValidateRecoveryPlanInput!) { validateRecoveryPlan(input: $input) { valid findings { ${FINDING_FIELDS} } } }`, {
      input: { id: v1.id, name: 'Orders versioned', waves: [{ name: 'A', dependsOn: ['B'], protectionGroupIds: [database.id] }, { name: 'B', dependsOn: ['A'], protectionGroupIds: [app.id] }, { name: 'Empty' }] },
    });
    expect(invalid.validateRecoveryPlan.valid).toBe(false);
    expect(invalid.validateRecoveryPlan.findings.filter((f) => f.severity === 'ERROR').map((f) => f.code).sort()).toEqual(['CYCLE', 'EMPTY_WAVE']);
  });

  it('configuration: export, then re-import as a dry run (unchanged; a changed document is an update), writing nothing', async () => {
    const plans = await ok<{ recoveryPlans: { items: { id: string; name: string; version: number }[] } }>('{ recoveryPlans(first: 1000) { items { id name version } } }');
    const demo = plans.recoveryPlans.items.find((p) => p.name === 'Orders 3-tier');
    if (!demo) throw new Error('the demo plan is missing');
    const groupIds = ['Database', 'App', 'Web'].map((name) => groupNamed(name).id);

    const exported = await ok<{ exportConfiguration: { format: string; content: string; documents: { kind: string; name: string; id: string }[] } }>(
      'query($groups: [ID!], $plans: [ID!]) { exportConfiguration(protectionGroupIds: $groups, planIds: $plans) { format content documents { kind name id } } }',
      { groups: groupIds, plans: [demo.id] },
    );
    const { content } = exported.exportConfiguration;
    expect(exported.exportConfiguration.format).toBe('YAML');
    expect(content).toContain('apiVersion: lifeboat/v1');
    expect(exported.exportConfiguration.documents.map((d) => [d.kind, d.name])).toEqual([
      ['ProtectionGroup', 'Database'],
      ['ProtectionGroup', 'App'],
      ['ProtectionGroup', 'Web'],
      ['RecoveryPlan', 'Orders 3-tier'],
    ]);

    const IMPORT = 'mutation($input: ImportConfigurationInput!) { importConfiguration(input: $input) { dryRun documents { kind name id action } findings { severity code field } } }';
    type Imported = { importConfiguration: { dryRun: boolean; documents: { kind: string; name: string; id: string | null; action: string }[] } };
    const again = await ok<Imported>(IMPORT, { input: { content, dryRun: true } });
    expect(again.importConfiguration.dryRun).toBe(true);
    expect(again.importConfiguration.documents.map((d) => [d.name, d.action])).toEqual([
      ['Database', 'UNCHANGED'],
      ['App', 'UNCHANGED'],
      ['Web', 'UNCHANGED'],
      ['Orders 3-tier', 'UNCHANGED'],
    ]);

    const asJson = await ok<{ exportConfiguration: { content: string } }>('query($plans: [ID!]) { exportConfiguration(planIds: $plans, format: JSON) { content } }', { plans: [demo.id] });
    const document = JSON.parse(asJson.exportConfiguration.content) as { spec: { description?: string } };
    document.spec.description = 'kept in Git';
    const changed = await ok<Imported>(IMPORT, { input: { content: JSON.stringify(document), format: 'JSON', dryRun: true } });
    expect(changed.importConfiguration.documents).toEqual([{ kind: 'RecoveryPlan', name: 'Orders 3-tier', id: demo.id, action: 'UPDATE' }]);

    const after = await ok<{ recoveryPlanVersions: { version: number }[] }>('query($id: ID!) { recoveryPlanVersions(id: $id) { version } }', { id: demo.id });
    expect(after.recoveryPlanVersions.map((v) => v.version)).toEqual([demo.version]);
  });

  it('SRM priorities become waves, each after the previous one (dry run)', async () => {
    const result = await ok<{ importSrmPriorities: { definition: { waves: { name: string; dependsOn: string[]; launchOrder: string }[] }; findings: Finding[]; plan: { id: string } | null } }>(
      'mutation($input: ImportSrmPrioritiesInput!) { importSrmPriorities(input: $input) { definition { waves { name dependsOn launchOrder } } findings { severity code field message } plan { id } } }',
      { input: { name: 'From SRM', dryRun: true, priorities: [{ priority: 3, protectionGroupIds: [groupNamed('Web').id] }, { priority: 1, protectionGroupIds: [groupNamed('Database').id] }, { priority: 2, protectionGroupIds: [groupNamed('App').id] }] } },
    );
    expect(result.importSrmPriorities.plan).toBeNull();
    expect(result.importSrmPriorities.definition.waves).toEqual([
      { name: 'Priority 1', dependsOn: [], launchOrder: 'PARALLEL' },
      { name: 'Priority 2', dependsOn: ['Priority 1'], launchOrder: 'PARALLEL' },
      { name: 'Priority 3', dependsOn: ['Priority 2'], launchOrder: 'PARALLEL' },
    ]);
    const plans = await ok<{ recoveryPlans: { items: { name: string }[] } }>('{ recoveryPlans(first: 1000) { items { name } } }');
    expect(plans.recoveryPlans.items.map((p) => p.name)).not.toContain('From SRM');
  });
});
