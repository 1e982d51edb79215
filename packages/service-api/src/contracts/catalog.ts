/** The catalog service's API contract. */
// ---- catalog (function lifeboat-catalog-<stage>-api)
export interface SourceServerView {
  sourceServerId: string;
  accountId: string;
  region: string;
  arn: string;
  hostname: string;
  os: string;
  tags: Record<string, string>;
  replicationState: string;
  /** CONTINUOUS replication means ready. */
  readyForRecovery: boolean;
  stagingAccountId?: string;
  lastSeenAt: string;
}
export interface CatalogOperations {
  listSourceServers: { input: { limit?: number; nextToken?: string }; result: { items: SourceServerView[]; nextToken: string | null } };
  /** Runs a full sync now (also runs on its schedule). */
  syncSourceServers: { input: Record<string, never>; result: { discovered: number; changed: number; removed: number } };
}

