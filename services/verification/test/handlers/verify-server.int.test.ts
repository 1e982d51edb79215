import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DescribeRecoveryInstancesCommand, DrsClient, type RecoveryInstance } from '@aws-sdk/client-drs';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext, mockEventBridge, startServiceDynamoDb, type ServiceDynamoDb } from '@lifeboat/testing';
import type { handler as VerifyServerHandler } from '../../src/handlers/verify-server.js';
import { JOB_ID, SOURCE_SERVER_ID, envelopeOf, serverLaunched } from '../support/events.js';

const drs = mockClient(DrsClient);
const eventBridge = mockEventBridge();

let db: ServiceDynamoDb;
let handler: typeof VerifyServerHandler;

interface VerificationData {
  executionId: string;
  waveId: string;
  sourceServerId: string;
  recoveryInstanceId?: string;
  ec2InstanceId?: string;
  checks: { name: string; status: string; durationMs: number; output?: string }[];
  reason?: string;
}

function instance(overrides: Partial<RecoveryInstance> = {}): RecoveryInstance {
  return { recoveryInstanceID: 'i-ri0123456789abcdef', ec2InstanceID: 'i-0abc1234def567890', ec2InstanceState: 'RUNNING', sourceServerID: SOURCE_SERVER_ID, jobID: JOB_ID, isDrill: true, ...overrides };
}

const published = () => eventBridge.events<VerificationData>();

beforeAll(async () => {
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  db = await startServiceDynamoDb(fileURLToPath(new URL('../../serverless.yml', import.meta.url)));
  process.env.VERIFICATION_IDEMPOTENCY_TABLE = db.tables.VerificationIdempotencyTable;
  process.env.EVENT_BUS_NAME = 'lifeboat-test';
  process.env.LIFEBOAT_STAGE = 'test';
  // A short budget so that the timeout case takes a fraction of a second.
  process.env.VERIFICATION_TIMEOUT_SECONDS = '0.3';
  process.env.VERIFICATION_POLL_MS = '20';
  ({ handler } = await import('../../src/handlers/verify-server.js'));
});

afterAll(async () => {
  drs.restore();
  eventBridge.restore();
  await db?.stop();
});

beforeEach(() => {
  drs.reset();
  eventBridge.reset();
});

describe('verifyServer', () => {
  it('publishes ServerVerified when the recovered instance is running', async () => {
    // given DRS reports the launched recovery instance RUNNING
    drs.on(DescribeRecoveryInstancesCommand).resolves({ items: [instance()] });
    const launched = serverLaunched({ recoveryInstanceId: 'i-ri0123456789abcdef' });

    // when the launch is delivered
    await handler(envelopeOf(launched), lambdaContext('lifeboat-verification-test-verifyServer'));

    // then DRS was asked for that recovery instance, and the verdict went to the bus
    expect(drs.commandCalls(DescribeRecoveryInstancesCommand)[0]?.args[0].input).toEqual({ filters: { recoveryInstanceIDs: ['i-ri0123456789abcdef'] } });
    const [event, ...others] = published();
    expect(others).toHaveLength(0);
    expect(event?.entry).toMatchObject({ EventBusName: 'lifeboat-test', Source: 'lifeboat.verification', DetailType: 'ServerVerified' });
    expect(event?.detail.metadata).toMatchObject({ correlationId: 'exec-1', causationId: launched.metadata.eventId, actor: { type: 'service', id: 'lifeboat-verification' } });
    expect(event?.detail.data).toMatchObject({
      executionId: 'exec-1',
      waveId: 'wave-db',
      sourceServerId: SOURCE_SERVER_ID,
      accountId: '123456789012',
      region: 'us-east-1',
      recoveryInstanceId: 'i-ri0123456789abcdef',
      ec2InstanceId: 'i-0abc1234def567890',
    });
    expect(event?.detail.data.checks.map((c) => [c.name, c.status])).toEqual([
      ['recovery-instance-found', 'PASSED'],
      ['ec2-instance-running', 'PASSED'],
    ]);
  });

  it('finds the instance of the launch by source server and job, and waits while it is PENDING', async () => {
    // given a launch without recovery instance id; DRS still lists an older instance of another job
    const older = instance({ recoveryInstanceID: 'i-riold0000000000000', jobID: 'drsjob-00000000000000000', ec2InstanceState: 'STOPPED' });
    drs
      .on(DescribeRecoveryInstancesCommand)
      .resolvesOnce({ items: [older] })
      .resolvesOnce({ items: [older, instance({ ec2InstanceState: 'PENDING' })] })
      .resolves({ items: [older, instance()] });

    // when the launch is delivered
    await handler(envelopeOf(serverLaunched()), lambdaContext('lifeboat-verification-test-verifyServer'));

    // then DRS was polled by source server until this job's instance ran
    const calls = drs.commandCalls(DescribeRecoveryInstancesCommand);
    expect(calls).toHaveLength(3);
    expect(calls[0]?.args[0].input).toEqual({ filters: { sourceServerIDs: [SOURCE_SERVER_ID] } });
    const [event] = published();
    expect(event?.entry.DetailType).toBe('ServerVerified');
    expect(event?.detail.data.recoveryInstanceId).toBe('i-ri0123456789abcdef');
  });

  it('publishes ServerVerificationFailed with a timeout when the instance never runs', async () => {
    // given an instance that stays PENDING
    drs.on(DescribeRecoveryInstancesCommand).resolves({ items: [instance({ ec2InstanceState: 'PENDING' })] });

    // when the launch is delivered
    await handler(envelopeOf(serverLaunched({ recoveryInstanceId: 'i-ri0123456789abcdef' })), lambdaContext('lifeboat-verification-test-verifyServer'));

    // then the verdict is a failure naming the timeout, after several polls
    expect(drs.commandCalls(DescribeRecoveryInstancesCommand).length).toBeGreaterThan(1);
    const [event, ...others] = published();
    expect(others).toHaveLength(0);
    expect(event?.entry.DetailType).toBe('ServerVerificationFailed');
    expect(event?.detail.data.reason).toMatch(/ec2-instance-running failed: timed out after 0\.3 s/);
    expect(event?.detail.data.checks.map((c) => [c.name, c.status])).toEqual([
      ['recovery-instance-found', 'PASSED'],
      ['ec2-instance-running', 'FAILED'],
    ]);
  });

  it('verifies a launch delivered twice only once', async () => {
    // given a healthy instance
    drs.on(DescribeRecoveryInstancesCommand).resolves({ items: [instance()] });
    const launch = envelopeOf(serverLaunched({ recoveryInstanceId: 'i-ri0123456789abcdef' }));

    // when EventBridge delivers the same event twice
    await handler(launch, lambdaContext('lifeboat-verification-test-verifyServer'));
    await handler(structuredClone(launch), lambdaContext('lifeboat-verification-test-verifyServer'));

    // then the instance was checked and the verdict published once
    expect(drs.commandCalls(DescribeRecoveryInstancesCommand)).toHaveLength(1);
    expect(published().map((p) => p.entry.DetailType)).toEqual(['ServerVerified']);
    const records = await db.client.send(new ScanCommand({ TableName: db.tables.VerificationIdempotencyTable }));
    // (the record that answered the redelivery lives in the table serverless.yml declares)
    expect(records.Items?.some((item) => item.status?.S === 'COMPLETED')).toBe(true);
  });

  it('rejects a ServerLaunched that breaks its contract, and publishes nothing', async () => {
    // given a launch whose source server id is not a DRS id
    const launch = envelopeOf(serverLaunched({ sourceServerId: 'web-1' }));

    // when it is delivered, then it is refused before anything is called
    await expect(handler(launch, lambdaContext('lifeboat-verification-test-verifyServer'))).rejects.toThrow(/ServerLaunched does not match its schema/);
    expect(drs.commandCalls(DescribeRecoveryInstancesCommand)).toHaveLength(0);
    expect(published()).toHaveLength(0);
  });
});
