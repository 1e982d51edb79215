import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import type { Actor } from '@lifeboat/events';
import { EventPublisher } from '@lifeboat/events';
import { envGetter } from '@lifeboat/service-api';
import { AssumedRoleCredentials } from './adapters/assumed-roles.js';
import type { DrsClientFor } from './adapters/drs-source-servers.js';
import { drsClients, drsSourceServerDirectory } from './adapters/drs-source-servers.js';
import { DynamoGroupStore } from './adapters/groups-table.js';
import { DynamoServerStore } from './adapters/servers-table.js';
import { DynamoTargetStore } from './adapters/targets-table.js';
import type { HomeTarget } from './domain/targets.js';
import type { SyncResult, SyncScope } from './inventory-sync.js';
import { syncInventory } from './inventory-sync.js';
import type { SourceServerDirectory } from './ports.js';

/**
 * Environment of the catalog's functions (serverless.yml). Endpoints come from the SDK's
 * standard AWS_ENDPOINT_URL_<SERVICE> variables (the local runtime sets them).
 */
export const env = {
  serversTable: envGetter('CATALOG_SERVERS_TABLE'),
  targetsTable: envGetter('CATALOG_TARGETS_TABLE'),
  groupsTable: envGetter('CATALOG_GROUPS_TABLE'),
  idempotencyTable: envGetter('CATALOG_IDEMPOTENCY_TABLE'),
  /** The region Lifeboat runs in: the default target's region. */
  drsRegion: envGetter('CATALOG_DRS_REGION'),
  /** The account Lifeboat runs in: the default target (no role). */
  homeAccountId: envGetter('CATALOG_HOME_ACCOUNT_ID'),
  eventBusName: envGetter('EVENT_BUS_NAME'),
};

// Built on first use (not at import) so that a missing variable fails the call, naming it.
let documentClient: DynamoDBDocumentClient | undefined;
let servers: DynamoServerStore | undefined;
let targets: DynamoTargetStore | undefined;
let groups: DynamoGroupStore | undefined;
let roles: AssumedRoleCredentials | undefined;
let clients: DrsClientFor | undefined;
let publisher: EventPublisher | undefined;

export function dynamoDbClient(): DynamoDBDocumentClient {
  return (documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }));
}

export function serverStore(): DynamoServerStore {
  return (servers ??= new DynamoServerStore(dynamoDbClient(), env.serversTable()));
}

export function targetStore(): DynamoTargetStore {
  return (targets ??= new DynamoTargetStore(dynamoDbClient(), env.targetsTable()));
}

export function groupStore(): DynamoGroupStore {
  return (groups ??= new DynamoGroupStore(dynamoDbClient(), env.groupsTable()));
}

export function home(): HomeTarget {
  return { accountId: env.homeAccountId(), region: env.drsRegion() };
}

/** STS in the region Lifeboat runs in (AWS_ENDPOINT_URL_STS when set). */
export function assumedRoles(): AssumedRoleCredentials {
  return (roles ??= new AssumedRoleCredentials(new STSClient({ region: env.drsRegion() })));
}

export function drsClientFor(): DrsClientFor {
  return (clients ??= drsClients(assumedRoles()));
}

export function drsDirectory(): SourceServerDirectory {
  return drsSourceServerDirectory(drsClientFor());
}

export function eventPublisher(): EventPublisher {
  return (publisher ??= new EventPublisher({ eventBusName: env.eventBusName() }));
}

export function runSync(actor: Actor, scope: SyncScope = {}): Promise<SyncResult> {
  return syncInventory({ drs: drsDirectory(), store: serverStore(), targets: targetStore(), groups: groupStore(), home: home() }, actor, scope);
}
