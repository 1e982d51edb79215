import { DescribeSourceServersCommand, DrsClient, paginateDescribeSourceServers } from '@aws-sdk/client-drs';
import type { DrsSourceServer } from '../domain/inventory.js';
import type { SyncTarget } from '../domain/targets.js';
import { targetKeyOf } from '../domain/targets.js';
import type { SourceServerDirectory } from '../ports.js';
import { MAX_IDS_PER_DESCRIBE } from '../ports.js';
import type { AssumedRoleCredentials } from './assumed-roles.js';

/** DescribeSourceServers accepts 1..1000 results per page: the fewest calls for 4,000 servers. */
const PAGE_SIZE = 1000;

/** The DRS client of one account and region. */
export type DrsClientFor = (target: SyncTarget) => DrsClient;

/**
 * One DRS client per account, region and role: `region` set, and credentials of the assumed role
 * (none for the account Lifeboat runs in: its own). The endpoint is the SDK's
 * (AWS_ENDPOINT_URL_DRS locally: the simulator).
 */
export function drsClients(roles: AssumedRoleCredentials): DrsClientFor {
  const clients = new Map<string, DrsClient>();
  return (target) => {
    const key = `${targetKeyOf(target)}|${target.roleArn ?? ''}|${target.externalId ?? ''}`;
    let client = clients.get(key);
    if (!client) {
      const { roleArn, externalId } = target;
      client = new DrsClient({ region: target.region, ...(roleArn ? { credentials: () => roles.credentialsFor(roleArn, externalId) } : {}) });
      clients.set(key, client);
    }
    return client;
  };
}

/** DRS's DescribeSourceServers in each target account and region. */
export function drsSourceServerDirectory(clientFor: DrsClientFor): SourceServerDirectory {
  return {
    async listSourceServers(target: SyncTarget): Promise<DrsSourceServer[]> {
      const servers: DrsSourceServer[] = [];
      for await (const page of paginateDescribeSourceServers({ client: clientFor(target), pageSize: PAGE_SIZE }, { filters: {} })) {
        servers.push(...(page.items ?? []));
      }
      return servers;
    },
    async describeSourceServers(target: SyncTarget, sourceServerIds: readonly string[]): Promise<DrsSourceServer[]> {
      const wanted = [...new Set(sourceServerIds)];
      const servers: DrsSourceServer[] = [];
      for (let start = 0; start < wanted.length; start += MAX_IDS_PER_DESCRIBE) {
        const sourceServerIDs = wanted.slice(start, start + MAX_IDS_PER_DESCRIBE);
        for await (const page of paginateDescribeSourceServers({ client: clientFor(target), pageSize: MAX_IDS_PER_DESCRIBE }, { filters: { sourceServerIDs } })) {
          servers.push(...(page.items ?? []));
        }
      }
      return servers;
    },
  };
}

/** Whether DRS answers in the target account and region: one DescribeSourceServers of one result. */
export async function checkDrsAccess(clientFor: DrsClientFor, target: SyncTarget): Promise<void> {
  await clientFor(target).send(new DescribeSourceServersCommand({ filters: {}, maxResults: 1 }));
}
