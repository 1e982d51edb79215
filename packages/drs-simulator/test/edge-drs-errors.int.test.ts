/**
 * The demand: for each DRS error status, the unmodified DrsClient raises the right
 * exception class (with its members: quotaCode, retryAfterSeconds, reason, fieldList).
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  AccessDeniedException, ConflictException, DescribeJobsCommand, DescribeSourceServersCommand, DrsClient, DrsServiceException,
  InternalServerException, ListTagsForResourceCommand, ResourceNotFoundException, ServiceQuotaExceededException,
  StartRecoveryCommand, ThrottlingException, UninitializedAccountException, ValidationException,
} from '@aws-sdk/client-drs';
import { QUOTA_CODES } from '../src/index.js';
import { HUB, edgeTestBed, errorOf, hubCredentials, type EdgeTestBed } from './edge-support.js';

describe('DrsClient error classes per status (edge)', () => {
  let bed: EdgeTestBed;
  let drs: DrsClient;
  let ids: Record<string, string>;

  beforeAll(async () => {
    bed = await edgeTestBed({ quotas: { maxSourceServersPerJob: 2 } });
    drs = bed.clients(hubCredentials).drs;
    ids = await bed.serverIds(drs);
  });
  afterAll(async () => {
    await bed.close();
  });

  const cases: { status: number; type: new (...args: never[]) => DrsServiceException; name: string; provoke: () => Promise<unknown>; check?: (e: Record<string, unknown>) => void }[] = [
    {
      status: 400,
      type: ValidationException,
      name: 'ValidationException',
      provoke: () => drs.send(new DescribeSourceServersCommand({ maxResults: 0 })),
      check: (e) => {
        expect(e.reason).toBe('fieldValidationFailed');
        expect(e.fieldList).toEqual([expect.objectContaining({ name: 'maxResults' })]);
      },
    },
    {
      status: 402,
      type: ServiceQuotaExceededException,
      name: 'ServiceQuotaExceededException',
      provoke: () => drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: ['web-1', 'web-2', 'web-3'].map((h) => ({ sourceServerID: ids[h] ?? '' })) })),
      check: (e) => {
        expect(e.quotaCode).toBe(QUOTA_CODES.sourceServersPerJob);
        expect(e.serviceCode).toBe('drs');
      },
    },
    {
      status: 403,
      type: AccessDeniedException,
      name: 'AccessDeniedException',
      // Temporary credentials the simulator never issued.
      provoke: () => bed.clients({ accessKeyId: 'ASIAZZZZZZZZZZZZZZZZ', secretAccessKey: 'x', sessionToken: 'forged' }).drs.send(new DescribeJobsCommand({})),
    },
    {
      status: 404,
      type: ResourceNotFoundException,
      name: 'ResourceNotFoundException',
      provoke: () => drs.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:drs:us-east-1:${HUB}:source-server/s-00000000000000000` })),
      check: (e) => expect(e.resourceId).toBe(`arn:aws:drs:us-east-1:${HUB}:source-server/s-00000000000000000`),
    },
    {
      status: 409,
      type: ConflictException,
      name: 'ConflictException',
      provoke: async () => {
        // The first job stays PENDING (the clock does not move), so the server is busy.
        await drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: [{ sourceServerID: ids['db-1'] ?? '' }] }));
        return drs.send(new StartRecoveryCommand({ isDrill: true, sourceServers: [{ sourceServerID: ids['db-1'] ?? '' }] }));
      },
      check: (e) => expect(e.resourceId).toBe(ids['db-1']),
    },
    {
      status: 429,
      type: ThrottlingException,
      name: 'ThrottlingException',
      provoke: () => {
        bed.handle.setFaults({ throttling: { operations: ['DescribeJobs'], count: 1, retryAfterSeconds: 7 } });
        return drs.send(new DescribeJobsCommand({}));
      },
      check: (e) => {
        expect(e.retryAfterSeconds).toBe('7');
        expect(e.serviceCode).toBe('drs');
      },
    },
    {
      status: 500,
      type: InternalServerException,
      name: 'InternalServerException',
      provoke: () => {
        bed.handle.setFaults({ internalErrors: { operations: ['DescribeJobs'], count: 1 } });
        return drs.send(new DescribeJobsCommand({}));
      },
      check: (e) => expect(e.$fault).toBe('server'),
    },
  ];

  it.each(cases.map((c) => [c.status, c.name, c] as const))('%i answers %s', async (status, name, c) => {
    const error = await errorOf(c.provoke());
    expect(error).toBeInstanceOf(c.type);
    expect(error).toBeInstanceOf(DrsServiceException);
    expect(error.name).toBe(name);
    expect(error.$metadata?.httpStatusCode).toBe(status);
    expect(error.message.length).toBeGreaterThan(0);
    c.check?.(error as unknown as Record<string, unknown>);
    bed.handle.setFaults({});
  });

  it('answers 400 UninitializedAccountException in a region where DRS is not initialized for the account', async () => {
    const error = await errorOf(bed.clients(hubCredentials, 'ap-southeast-2').drs.send(new DescribeJobsCommand({})));
    expect(error).toBeInstanceOf(UninitializedAccountException);
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('the faulted calls are in both call logs, marked as faults', () => {
    const edgeCalls = bed.handle.edge.callLog.filter((c) => c.fault);
    expect(edgeCalls.map((c) => [c.service, c.operation, c.fault, c.statusCode])).toEqual([
      ['drs', 'DescribeJobs', 'throttling', 429],
      ['drs', 'DescribeJobs', 'internalError', 500],
    ]);
    const core = bed.handle.simulator.callLog.filter((c) => c.errorType === 'ThrottlingException' || c.errorType === 'InternalServerException');
    expect(core).toHaveLength(2);
  });

  it("the SDK's standard retry gets through a throttling burst shorter than its attempts", async () => {
    bed.handle.setFaults({ throttling: { operations: ['DescribeJobs'], count: 2, retryAfterSeconds: 0 } });
    const patient = new DrsClient({ endpoint: bed.handle.url, region: 'us-east-1', credentials: hubCredentials, maxAttempts: 3 });
    try {
      const out = await patient.send(new DescribeJobsCommand({}));
      expect(out.$metadata.attempts).toBe(3);
    } finally {
      patient.destroy();
      bed.handle.setFaults({});
    }
  });
});
