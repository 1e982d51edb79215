import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fleet, DrsSimulatorHandle, LaunchTimings } from '@lifeboat/drs-simulator';
import { startDrsSimulator } from '@lifeboat/drs-simulator';
import { ServiceApiClient, functionNameOf } from '@lifeboat/service-api';
import { startLocalDynamoDb, type LocalDynamoDb } from './dynamodb/index.js';
import { StreamDispatcher, type StreamConsumer } from './dynamodb/stream-dispatcher.js';
import { LocalEventBus } from './eventbridge/bus.js';
import { gatewayIdentityOf } from './identity/gateway.js';
import { LocalIdentityProvider } from './identity/provider.js';
import { LocalLambdaRuntime } from './lambda/runtime.js';
import { startAwsEndpoint } from './lambda/endpoint.js';
import { Scheduler } from './scheduler.js';
import { LocalScheduler } from './scheduler/service.js';
import { loadProject, type LocalSettings } from './serverless/project.js';
import { seedDemo } from './demo-seed.js';
import { LocalQueue, SqsEventSource } from './sqs/queue.js';

export const LOCAL_SETTINGS: LocalSettings = { stage: 'local', region: 'us-east-1', accountId: '123456789012' };
/** The app client id the local identity provider puts in `aud`. */
export const LOCAL_CLIENT_ID = 'lifeboat-local-web';
export const LOCAL_ISSUER = 'http://localhost/lifeboat-local-idp';

export interface LocalStackOptions {
  /** The repository root (holding serverless.yml and services/). */
  rootDir?: string;
  /** GraphQL, UI and login port; 0 for a free one. */
  port?: number;
  host?: string;
  /** Persisted state; everything in memory when omitted. */
  dataDir?: string;
  adminPassword?: string;
  /** Scales DRS launch durations (0.01: a 5-minute Linux launch takes 3 s). */
  drsTimeScale?: number;
  /** Scales the execution's timers (approval timeouts, WAIT steps): 0.1 fires a 60-second timeout after 6 s. Default 1. */
  timerTimeScale?: number;
  drsSeed?: number;
  /** Overrides of the simulator's launch timings (before scaling), e.g. `{ jitter: 0 }` for launches that all take the mean. */
  drsLaunchTimings?: Partial<LaunchTimings>;
  fleet?: Fleet;
  /** Seed the Orders demo (groups and plan) on first start. Default true. */
  seedDemo?: boolean;
  /** The console's files to serve (default: packages/web/dist when built, else packages/web/public). */
  webDir?: string;
  log?: (line: string) => void;
}

export interface LocalStack {
  url: string;
  graphqlUrl: string;
  dataDir: string | undefined;
  /** Set when the admin password was generated on this (first) start. */
  generatedAdminPassword: string | undefined;
  drs: DrsSimulatorHandle;
  bus: LocalEventBus;
  lambda: LocalLambdaRuntime;
  dynamodb: LocalDynamoDb;
  identity: LocalIdentityProvider;
  streams: StreamDispatcher;
  /** The SQS queues rules send to and functions are triggered by, by name. */
  queues: ReadonlyMap<string, LocalQueue>;
  awsEndpoint: string;
  demoSeeded: boolean;
  close(): Promise<void>;
}

export function repositoryRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
}

/** Starts the whole product in this process: the same serverless.yml files, run locally. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const rootDir = options.rootDir ?? repositoryRoot();
  const log = options.log ?? ((line: string) => process.stderr.write(`[lifeboat] ${line}\n`));
  const settings = LOCAL_SETTINGS;
  const dataDir = options.dataDir;
  if (dataDir) fs.mkdirSync(dataDir, { recursive: true });
  const closers: (() => Promise<void> | void)[] = [];
  let lambdaRuntime: LocalLambdaRuntime | undefined;
  const close = async () => {
    // First tell running handlers their time is up, so the bus does not wait for a long one.
    lambdaRuntime?.shutdown();
    for (const closer of closers.reverse()) await closer();
  };

  try {
    const project = loadProject(rootDir, settings);

    const dynamodb = await startLocalDynamoDb(dataDir ? { dataDir } : {});
    closers.push(() => dynamodb.close());
    await dynamodb.createTables(project.tables);

    const bus = new LocalEventBus({ ...settings, buses: project.eventBuses, ...(dataDir ? { dataDir } : {}), log });
    closers.push(() => bus.close());
    const lambda = new LocalLambdaRuntime(project.functions, settings);
    lambdaRuntime = lambda;
    // EventBridge Scheduler's one-time schedules (the execution's timers), persisted.
    const schedules = new LocalScheduler({ ...settings, ...(dataDir ? { dataDir } : {}), ...(options.timerTimeScale !== undefined ? { timeScale: options.timerTimeScale } : {}), invoke: (name, payload) => lambda.invoke(name, payload), log });
    closers.push(() => schedules.close());
    const aws = await startAwsEndpoint(lambda, bus, schedules);
    closers.push(() => aws.close());

    const drs = await startDrsSimulator({
      ...(options.fleet ? { fleet: options.fleet } : {}),
      timeScale: options.drsTimeScale ?? 0.01,
      ...(options.drsSeed !== undefined ? { seed: options.drsSeed } : {}),
      ...(options.drsLaunchTimings ? { launchTimings: options.drsLaunchTimings } : {}),
      defaultRegion: settings.region,
      // Same seed: the fleet keeps its source server ids across restarts; a new salt: job ids are never reused.
      runSalt: String(Date.now()),
      // With a data folder the simulator persists its state and resumes it at the next start (jobs and launches
      // in flight, instances, call log); the saved fleet and seed win over `fleet` / `drsSeed`. Resumed below,
      // once the bus has its rules.
      ...(dataDir ? { stateFile: path.join(dataDir, 'drs-simulator', 'state.json'), deferResume: true } : {}),
      publishEvents: async (events) => {
        for (const event of events) bus.putAwsEvent(event);
      },
    });
    closers.push(() => drs.close());

    // The environment every function sees: the serverless.yml values plus the local endpoints.
    Object.assign(process.env, {
      AWS_REGION: settings.region,
      AWS_DEFAULT_REGION: settings.region,
      AWS_ACCESS_KEY_ID: 'AKIDLOCALLIFEBOAT',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
      AWS_ENDPOINT_URL_LAMBDA: aws.url,
      AWS_ENDPOINT_URL_SCHEDULER: aws.url,
      // The simulator answers DRS, EC2, SSM and STS on one URL.
      AWS_ENDPOINT_URL_DRS: drs.url,
      AWS_ENDPOINT_URL_EC2: drs.url,
      AWS_ENDPOINT_URL_SSM: drs.url,
      AWS_ENDPOINT_URL_STS: drs.url,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      POWERTOOLS_DEV: 'true',
      ...project.environment,
    });
    delete process.env.AWS_PROFILE;

    for (const fn of project.functions) {
      for (const event of fn.events) {
        if (event.type === 'eventBridge') {
          bus.addRule({ name: event.ruleName, eventBus: event.eventBus, pattern: event.pattern, maximumRetryAttempts: event.maximumRetryAttempts, maximumEventAgeSeconds: event.maximumEventAgeSeconds, target: (e) => lambda.invoke(fn.name, e) });
        } else if (event.type === 'schedule') {
          bus.addRule({ name: event.ruleName, eventBus: 'default', maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400, target: (e) => lambda.invoke(fn.name, e) });
        }
      }
    }
    // Rules that send to SQS queues, and the functions those queues trigger (event source mappings).
    const queues = new Map<string, LocalQueue>();
    const queueOf = (arn: string): LocalQueue => {
      const definition = project.queues.find((q) => q.arn === arn);
      if (!definition) throw new Error(`No stack declares the SQS queue ${arn}`);
      let queue = queues.get(definition.name);
      if (!queue) {
        queue = new LocalQueue(definition, { ...(dataDir ? { dataDir } : {}), log });
        queues.set(definition.name, queue);
        const created = queue;
        closers.push(() => created.close());
      }
      return queue;
    };
    for (const rule of project.queueRules) {
      const queue = queueOf(rule.queueArn);
      bus.addRule({ name: rule.name, eventBus: rule.eventBus, pattern: rule.pattern, maximumRetryAttempts: rule.maximumRetryAttempts, maximumEventAgeSeconds: rule.maximumEventAgeSeconds, target: async (e) => queue.send(JSON.stringify(e)) });
    }
    const eventSources: SqsEventSource[] = [];
    for (const fn of project.functions) {
      for (const event of fn.events) {
        if (event.type !== 'sqs') continue;
        eventSources.push(
          new SqsEventSource(queueOf(event.queueArn), {
            functionName: fn.name,
            batchSize: event.batchSize,
            maximumBatchingWindowMs: event.maximumBatchingWindowSeconds * 1000,
            reportBatchItemFailures: event.reportBatchItemFailures,
            region: settings.region,
            accountId: settings.accountId,
            invoke: (e) => lambda.invoke(fn.name, e),
            log,
          }),
        );
      }
    }
    // Closed before the queues (closers run in reverse): a batch in flight finishes or is released.
    closers.push(() => Promise.all(eventSources.map((source) => source.close())).then(() => undefined));
    await lambda.preload();

    const consumers: StreamConsumer[] = project.functions.flatMap((fn) =>
      fn.events.flatMap((event) => (event.type === 'stream' ? [{ functionName: fn.name, table: event.table, batchSize: event.batchSize, maximumRetryAttempts: event.maximumRetryAttempts, invoke: (e: { Records: unknown[] }) => lambda.invoke(fn.name, e) }] : [])),
    );
    const checkpointDir = dataDir ? path.join(dataDir, 'dynamodb-streams') : undefined;
    const streams = new StreamDispatcher(dynamodb.streams, consumers, { ...settings, ...(checkpointDir ? { checkpointDir } : {}), report: log });
    streams.start();
    closers.push(() => streams.close());

    const scheduler = new Scheduler((rule, event) => bus.fire(rule, event), settings);
    for (const fn of project.functions) for (const event of fn.events) if (event.type === 'schedule') scheduler.add(event);
    closers.push(() => scheduler.close());

    for (const source of eventSources) source.start();
    const armed = schedules.start();
    if (armed > 0) log(`re-armed ${armed} schedules left by the last run`);
    const resumed = bus.resumePendingDeliveries();
    if (resumed > 0) log(`resumed ${resumed} event deliveries left pending by the last run`);
    const drsResumed = drs.simulator.resumeRestoredWork();
    if (drs.simulator.restored) log(`DRS simulator resumed from ${drs.simulator.restored.file}: ${drsResumed.jobs} jobs in flight, ${drsResumed.events} events handed over again (delete the file to load another fleet)`);

    const host = options.host ?? '127.0.0.1';
    const requestedPort = options.port ?? 4000;
    // A fixed issuer (not naming the port) keeps tokens valid whatever port the gateway gets.
    const identity = new LocalIdentityProvider({ ...(dataDir ? { dataDir } : {}), issuer: LOCAL_ISSUER, clientId: LOCAL_CLIENT_ID });
    const { generatedAdminPassword, createdAdmin } = await identity.init(options.adminPassword);
    if (createdAdmin && options.adminPassword !== undefined && options.adminPassword.length < 12) {
      log('the admin password has fewer than 12 characters (the minimum for passwords set later): change it with changePassword');
    }

    const stage = settings.stage;
    const services = {
      catalog: new ServiceApiClient(functionNameOf('catalog', stage, 'api')),
      planning: new ServiceApiClient(functionNameOf('planning', stage, 'api')),
      execution: new ServiceApiClient(functionNameOf('execution', stage, 'api')),
      notification: new ServiceApiClient(functionNameOf('notification', stage, 'api')),
    };
    // The built console (packages/web/dist) when there is one, else the static skeleton console.
    const webDist = options.webDir ?? [path.join(rootDir, 'packages', 'web', 'dist'), path.join(rootDir, 'packages', 'web', 'public')].find((dir) => fs.existsSync(path.join(dir, 'index.html'))) ?? '';
    const { startLocalGateway } = await import('@lifeboat/gateway');
    const identityWiring = gatewayIdentityOf(identity);
    const gateway = await startLocalGateway({
      port: requestedPort,
      host,
      // Users and roles are the identity provider's (GraphQL users, createUser, changePassword, ...).
      services: { ...services, users: identityWiring.users },
      auth: identityWiring.auth,
      extraRoutes: identityWiring.extraRoutes,
      ...(webDist ? { staticDir: webDist } : {}),
    });
    closers.push(() => gateway.close());
    const port = Number(new URL(gateway.url).port);
    const url = `http://localhost:${port}`;

    let demoSeeded = false;
    if (options.seedDemo !== false) {
      demoSeeded = await seedDemo({ dataDir, catalog: services.catalog, planning: services.planning, log });
    }

    return {
      url,
      graphqlUrl: `${url}/graphql`,
      dataDir,
      generatedAdminPassword,
      drs,
      bus,
      lambda,
      dynamodb,
      identity,
      streams,
      queues,
      awsEndpoint: aws.url,
      demoSeeded,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
