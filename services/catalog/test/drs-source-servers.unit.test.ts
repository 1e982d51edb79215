/** The DRS adapter's describeSourceServers against DescribeSourceServers mocked at the SDK. */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeSourceServersCommand, DrsClient } from '@aws-sdk/client-drs';
import type { DescribeSourceServersCommandInput } from '@aws-sdk/client-drs';
import { mockClient } from 'aws-sdk-client-mock';
import { drsSourceServerDirectory } from '../src/adapters/drs-source-servers.js';
import { ACCOUNT, REGION, drsServer, serverId } from './support/fixtures.js';

const drs = mockClient(DrsClient);
const directory = drsSourceServerDirectory(() => new DrsClient({ region: REGION }));
const target = { accountId: ACCOUNT, region: REGION };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** Each call's input as sent (the SDK's paginator reuses and updates one input object). */
let sent: DescribeSourceServersCommandInput[] = [];

beforeEach(() => {
  drs.reset();
  sent = [];
  // DRS answers the ids asked, 150 a page: a call for 200 ids has a second page.
  drs.on(DescribeSourceServersCommand).callsFake(async (input: DescribeSourceServersCommandInput) => {
    sent.push(structuredClone(input));
    const ids = input.filters?.sourceServerIDs ?? [];
    const start = input.nextToken ? Number(input.nextToken) : 0;
    const end = Math.min(start + 150, ids.length);
    return { items: ids.slice(start, end).map((id) => drsServer({ n: Number.parseInt(id.slice(2), 16) })), nextToken: end < ids.length ? String(end) : undefined };
  });
});

afterAll(() => drs.restore());

describe('drsSourceServerDirectory.describeSourceServers', () => {
  it('asks for at most 200 ids a call, each id once, and follows every page', async () => {
    const ids = [...range(1, 450).map(serverId), serverId(7)];

    const servers = await directory.describeSourceServers(target, ids);

    expect(sent.map((c) => [c.filters?.sourceServerIDs?.length, c.maxResults, c.nextToken])).toEqual([
      [200, 200, undefined],
      [200, 200, '150'],
      [200, 200, undefined],
      [200, 200, '150'],
      [50, 200, undefined],
    ]);
    expect(sent[2]?.filters?.sourceServerIDs).toEqual(range(201, 400).map(serverId));
    expect(servers.map((s) => s.sourceServerID)).toEqual(range(1, 450).map(serverId));
  });

  it('sends nothing for no ids (an empty filter would list every server)', async () => {
    expect(await directory.describeSourceServers(target, [])).toEqual([]);
    expect(drs.commandCalls(DescribeSourceServersCommand)).toEqual([]);
  });
});
