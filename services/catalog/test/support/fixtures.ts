import type { SourceServerView } from '@lifeboat/service-api';
import type { DrsSourceServer } from '../../src/domain/inventory.js';
import { notReadyReasonOf } from '../../src/domain/replication.js';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** A DRS source server id: `s-` and 17 characters, from a short number. */
export function serverId(n: number): string {
  return `s-${n.toString(16).padStart(17, '0')}`;
}

export interface DrsServerSpec {
  n: number;
  hostname?: string;
  os?: string;
  state?: string;
  tags?: Record<string, string>;
  accountId?: string;
  region?: string;
  stagingAccountId?: string;
  lagDuration?: string;
  /** Bytes replicated of 100 GiB (one disk). */
  replicatedBytes?: number;
  lastLaunch?: { type: 'DRILL' | 'RECOVERY'; jobId: string; at: string; status: string; result: string; recoveryInstanceId?: string };
}

export const DISK_BYTES = 100 * 1024 ** 3;

/** A DescribeSourceServers item as DRS answers it. */
export function drsServer(spec: DrsServerSpec): DrsSourceServer {
  const id = serverId(spec.n);
  return {
    sourceServerID: id,
    arn: `arn:aws:drs:${spec.region ?? REGION}:${spec.accountId ?? ACCOUNT}:source-server/${id}`,
    tags: spec.tags ?? { app: 'shop' },
    dataReplicationInfo: {
      dataReplicationState: spec.state ?? 'CONTINUOUS',
      ...(spec.lagDuration ? { lagDuration: spec.lagDuration } : {}),
      ...(spec.replicatedBytes !== undefined ? { replicatedDisks: [{ deviceName: '/dev/xvda', totalStorageBytes: DISK_BYTES, replicatedStorageBytes: spec.replicatedBytes }] } : {}),
    },
    ...(spec.lastLaunch
      ? {
          lastLaunchResult: spec.lastLaunch.result,
          lifeCycle: { lastLaunch: { initiated: { apiCallDateTime: spec.lastLaunch.at, jobID: spec.lastLaunch.jobId, type: spec.lastLaunch.type }, status: spec.lastLaunch.status } },
          ...(spec.lastLaunch.recoveryInstanceId ? { recoveryInstanceId: spec.lastLaunch.recoveryInstanceId } : {}),
        }
      : {}),
    sourceProperties: {
      identificationHints: { hostname: spec.hostname ?? `host-${spec.n}`, fqdn: `host-${spec.n}.corp.example` },
      os: { fullString: spec.os ?? 'Linux version 5.15.0-1051-aws (Ubuntu 22.04)' },
    },
    ...(spec.stagingAccountId ? { stagingArea: { stagingAccountID: spec.stagingAccountId } } : {}),
  };
}

/** The catalog's view of a server, for the `known` side of a diff. */
export function view(n: number, overrides: Partial<SourceServerView> = {}): SourceServerView {
  const id = serverId(n);
  const state = overrides.replicationState ?? 'CONTINUOUS';
  const reason = notReadyReasonOf({ state });
  return {
    sourceServerId: id,
    accountId: ACCOUNT,
    region: REGION,
    arn: `arn:aws:drs:${REGION}:${ACCOUNT}:source-server/${id}`,
    hostname: `host-${n}`,
    os: 'LINUX',
    tags: { app: 'shop' },
    replicationState: 'CONTINUOUS',
    readyForRecovery: true,
    lastSeenAt: '2025-01-01T00:00:00.000Z',
    fqdn: `host-${n}.corp.example`,
    osName: 'Linux version 5.15.0-1051-aws (Ubuntu 22.04)',
    replication: { state },
    ...(reason ? { readyForRecovery: false, notReadyReason: reason } : {}),
    ...overrides,
  };
}
