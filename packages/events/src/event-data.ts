/**
 * TypeScript shapes of event `data` that more than one service reads; each mirrors its JSON
 * Schema in events/schemas (the contract test validates samples of them).
 */

/** data of SourceServerDiscovered (and the shared part of SourceServerChanged). */
export interface SourceServerData {
  sourceServerId: string;
  accountId: string;
  region: string;
  arn: string;
  hostname: string;
  /** OS family: LINUX, WINDOWS or UNKNOWN. */
  os: string;
  tags: Record<string, string>;
  replicationState: string;
  stagingAccountId?: string;
}
