import type { DrsClient } from '@aws-sdk/client-drs';
import { paginateDescribeSourceServers } from '@aws-sdk/client-drs';
import type { DrsSourceServer } from '../domain/inventory.js';
import type { SourceServerDirectory } from '../inventory-sync.js';

/** DescribeSourceServers accepts 1..1000 results per page. */
const PAGE_SIZE = 200;

/** DRS's DescribeSourceServers, every page, of the client's account and region. */
export function drsSourceServerDirectory(client: DrsClient): SourceServerDirectory {
  return {
    async listSourceServers(): Promise<DrsSourceServer[]> {
      const servers: DrsSourceServer[] = [];
      for await (const page of paginateDescribeSourceServers({ client, pageSize: PAGE_SIZE }, { filters: {} })) {
        servers.push(...(page.items ?? []));
      }
      return servers;
    },
  };
}
