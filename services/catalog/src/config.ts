import { DrsClient } from '@aws-sdk/client-drs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Actor } from '@lifeboat/events';
import { EventPublisher } from '@lifeboat/events';
import { envGetter } from '@lifeboat/service-api';
import { drsSourceServerDirectory } from './adapters/drs-source-servers.js';
import { DynamoServerStore } from './adapters/servers-table.js';
import type { SyncResult } from './inventory-sync.js';
import { syncInventory } from './inventory-sync.js';

/**
 * Environment of the catalog's functions (serverless.yml). Endpoints come from the SDK's
 * standard AWS_ENDPOINT_URL_<SERVICE> variables (the local runtime sets them).
 */
export const env = {
  serversTable: envGetter('CATALOG_SERVERS_TABLE'),
  drsRegion: envGetter('CATALOG_DRS_REGION'),
  eventBusName: envGetter('EVENT_BUS_NAME'),
};

let store: DynamoServerStore | undefined;
let drs: DrsClient | undefined;
let publisher: EventPublisher | undefined;

/** Built on first use (not at import) so that a missing variable fails the call, naming it. */
export function serverStore(): DynamoServerStore {
  return (store ??= new DynamoServerStore(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), env.serversTable()));
}

export function runSync(actor: Actor): Promise<SyncResult> {
  drs ??= new DrsClient({ region: env.drsRegion() });
  publisher ??= new EventPublisher({ eventBusName: env.eventBusName() });
  return syncInventory({ drs: drsSourceServerDirectory(drs), store: serverStore(), events: publisher, region: env.drsRegion() }, actor);
}
