/** SSM over awsJson1_1, with the unmodified SSMClient, for the instances DRS launched (scripted per server). */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  DescribeInstanceInformationCommand, DuplicateInstanceId, GetCommandInvocationCommand, InternalServerError, InvalidDocument,
  InvalidFilterKey, InvalidInstanceId, InvalidInstanceInformationFilterValue, InvalidParameters, InvalidPluginName,
  InvocationDoesNotExist, ListCommandInvocationsCommand, SendCommandCommand, ThrottlingException, UnsupportedPlatformType,
  paginateDescribeInstanceInformation, paginateListCommandInvocations, type DescribeInstanceInformationCommandInput, type InstanceInformation,
  type SSMClient, type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import { DescribeRecoveryInstancesCommand, type DrsClient } from '@aws-sdk/client-drs';
import { edgeTestBed, errorOf, hubCredentials, spokeCredentials, type EdgeTestBed } from './edge-support.js';

describe('SSM DescribeInstanceInformation / SendCommand / GetCommandInvocation / ListCommandInvocations (edge)', () => {
  let bed: EdgeTestBed;
  let drs: DrsClient;
  let ssm: SSMClient;
  let instanceOf: Record<string, string> = {};

  async function refreshInstances(): Promise<void> {
    const ids = await bed.serverIds(drs);
    const hostOf = Object.fromEntries(Object.entries(ids).map(([h, id]) => [id, h]));
    const { items } = await drs.send(new DescribeRecoveryInstancesCommand({}));
    instanceOf = Object.fromEntries((items ?? []).map((i) => [hostOf[i.sourceServerID ?? ''] ?? '', i.ec2InstanceID ?? '']));
  }

  const send = (host: string, extra: Partial<SendCommandCommandInput> = {}) => ssm.send(new SendCommandCommand({
    DocumentName: 'AWS-RunShellScript',
    InstanceIds: [instanceOf[host] ?? ''],
    Parameters: { commands: ['systemctl is-active app'] },
    ...extra,
  }));
  const invocation = (commandId: string, host: string) => ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceOf[host] ?? '' }));

  beforeAll(async () => {
    bed = await edgeTestBed({ launchTimings: { ssmAgentMs: 60_000 } });
    ({ drs, ssm } = bed.clients(hubCredentials));
    await bed.launch(drs, ['web-1', 'web-2', 'api-1', 'api-2', 'db-1', 'fail-1', 'slow-1', 'noagent-1', 'win-1']);
    bed.clock.advance(120_000);
    await refreshInstances();
  });
  afterAll(async () => {
    await bed.close();
  });

  it('lists the instances whose agent is online (not the one scripted agentOnline: false), page by page', async () => {
    const all: InstanceInformation[] = [];
    const pages: number[] = [];
    for await (const page of paginateDescribeInstanceInformation({ client: ssm, pageSize: 5 }, {})) {
      pages.push(page.InstanceInformationList?.length ?? 0);
      all.push(...(page.InstanceInformationList ?? []));
    }
    expect(pages).toEqual([5, 3]);
    expect(all.map((i) => i.InstanceId).sort()).toEqual(
      ['web-1', 'web-2', 'api-1', 'api-2', 'db-1', 'fail-1', 'slow-1', 'win-1'].map((h) => instanceOf[h]).sort(),
    );
    const web = all.find((i) => i.InstanceId === instanceOf['web-1']);
    expect(web).toMatchObject({ PingStatus: 'Online', PlatformType: 'Linux', ResourceType: 'EC2Instance', SourceType: 'AWS::EC2::Instance', IPAddress: expect.stringMatching(/^10\./) });
    expect(web?.LastPingDateTime).toBeInstanceOf(Date);
    expect(all.find((i) => i.InstanceId === instanceOf['win-1'])?.PlatformType).toBe('Windows');
  });

  it('filters by instance ids, ping status, platform and tag; refuses unknown keys and values', async () => {
    const ids = async (input: DescribeInstanceInformationCommandInput) =>
      ((await ssm.send(new DescribeInstanceInformationCommand(input))).InstanceInformationList ?? []).map((i) => i.InstanceId).sort();
    expect(await ids({ Filters: [{ Key: 'PlatformTypes', Values: ['Windows'] }] })).toEqual([instanceOf['win-1']]);
    expect(await ids({ InstanceInformationFilterList: [{ key: 'InstanceIds', valueSet: [instanceOf['db-1'] ?? ''] }] })).toEqual([instanceOf['db-1']]);
    expect(await ids({ Filters: [{ Key: 'tag:Name', Values: ['web-*'] }, { Key: 'PingStatus', Values: ['Online'] }] })).toEqual([instanceOf['web-1'], instanceOf['web-2']].sort());
    expect(await ids({ Filters: [{ Key: 'PingStatus', Values: ['ConnectionLost'] }] })).toEqual([]);
    await expect(ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'Colour', Values: ['x'] }] }))).rejects.toBeInstanceOf(InvalidFilterKey);
    await expect(ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'PingStatus', Values: ['Sleepy'] }] }))).rejects.toBeInstanceOf(InvalidInstanceInformationFilterValue);
    const small = await errorOf(ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 4 })));
    expect(small.name).toBe('ValidationException');
  });

  it('runs a command: Pending, InProgress, then Success with the scripted stdout', async () => {
    const { Command } = await send('web-1', { Comment: 'post-launch check' });
    expect(Command).toMatchObject({ DocumentName: 'AWS-RunShellScript', Status: 'Pending', TargetCount: 1, InstanceIds: [instanceOf['web-1']], Comment: 'post-launch check', Parameters: { commands: ['systemctl is-active app'] } });
    expect(Command?.CommandId).toMatch(/^[0-9a-f-]{36}$/);
    const id = Command?.CommandId ?? '';
    expect(await invocation(id, 'web-1')).toMatchObject({ Status: 'Pending', ResponseCode: -1, StandardOutputContent: '' });
    bed.clock.advance(1_500);
    expect(await invocation(id, 'web-1')).toMatchObject({ Status: 'InProgress', PluginName: 'aws:runShellScript', ExecutionStartDateTime: expect.stringMatching(/Z$/) });
    bed.clock.advance(5_000);
    expect(await invocation(id, 'web-1')).toMatchObject({
      Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, StandardOutputContent: 'web-1 healthy\n', StandardErrorContent: '',
      ExecutionElapsedTime: 'PT5S', ExecutionEndDateTime: expect.stringMatching(/Z$/), Comment: 'post-launch check',
    });
  });

  it('reports a scripted failure (stderr, exit code) and an execution timeout', async () => {
    const failed = (await send('fail-1')).Command?.CommandId ?? '';
    const slow = (await send('slow-1', { Parameters: { commands: ['sleep 600'], executionTimeout: ['30'] } })).Command?.CommandId ?? '';
    bed.clock.advance(10_000);
    expect(await invocation(failed, 'fail-1')).toMatchObject({ Status: 'Failed', ResponseCode: 1, StandardOutputContent: 'starting\n', StandardErrorContent: 'health check failed: exit 3\n' });
    expect(await invocation(slow, 'slow-1')).toMatchObject({ Status: 'InProgress' });
    bed.clock.advance(30_000);
    expect(await invocation(slow, 'slow-1')).toMatchObject({ Status: 'TimedOut', StatusDetails: 'ExecutionTimedOut' });
  });

  it('targets instances by tag and runs custom documents', async () => {
    const { Command } = await ssm.send(new SendCommandCommand({ DocumentName: 'Lifeboat-VerifyApp', Targets: [{ Key: 'tag:Name', Values: ['api-1', 'api-2'] }], Parameters: { url: ['http://localhost/health'] } }));
    expect(Command?.TargetCount).toBe(2);
    bed.clock.advance(10_000);
    const { CommandInvocations } = await ssm.send(new ListCommandInvocationsCommand({ CommandId: Command?.CommandId ?? '' }));
    expect(CommandInvocations?.map((i) => [i.InstanceId, i.Status]).sort()).toEqual([[instanceOf['api-1'], 'Success'], [instanceOf['api-2'], 'Success']].sort());
  });

  it('answers SSM errors: InvalidInstanceId, InvalidDocument, InvalidParameters, UnsupportedPlatformType, DuplicateInstanceId, InvocationDoesNotExist, InvalidPluginName', async () => {
    await expect(send('nobody', { InstanceIds: ['i-0123456789abcdef0'] })).rejects.toBeInstanceOf(InvalidInstanceId);
    await expect(send('noagent-1')).rejects.toBeInstanceOf(InvalidInstanceId);
    await expect(send('web-1', { DocumentName: 'AWS-NoSuchDocument' })).rejects.toBeInstanceOf(InvalidDocument);
    await expect(send('web-1', { Parameters: { script: ['x'] } })).rejects.toBeInstanceOf(InvalidParameters);
    await expect(send('web-1', { Parameters: {} })).rejects.toBeInstanceOf(InvalidParameters);
    await expect(send('win-1')).rejects.toBeInstanceOf(UnsupportedPlatformType);
    await expect(send('web-1', { InstanceIds: [instanceOf['web-1'] ?? '', instanceOf['web-1'] ?? ''] })).rejects.toBeInstanceOf(DuplicateInstanceId);
    await expect(ssm.send(new GetCommandInvocationCommand({ CommandId: '11111111-2222-4333-8444-555555555555', InstanceId: instanceOf['web-1'] ?? '' }))).rejects.toBeInstanceOf(InvocationDoesNotExist);
    const ps = (await send('win-1', { DocumentName: 'AWS-RunPowerShellScript', Parameters: { commands: ['Get-Service'] } })).Command?.CommandId ?? '';
    await expect(ssm.send(new GetCommandInvocationCommand({ CommandId: ps, InstanceId: instanceOf['win-1'] ?? '', PluginName: 'aws:runShellScript' }))).rejects.toBeInstanceOf(InvalidPluginName);
    await expect(ssm.send(new GetCommandInvocationCommand({ CommandId: ps, InstanceId: instanceOf['web-1'] ?? '' }))).rejects.toBeInstanceOf(InvocationDoesNotExist);
  });

  it('lists command invocations newest first, with details, filters and pages', async () => {
    const all: string[] = [];
    for await (const page of paginateListCommandInvocations({ client: ssm, pageSize: 2 }, {})) all.push(...(page.CommandInvocations ?? []).map((i) => i.CommandId ?? ''));
    expect(all.length).toBeGreaterThanOrEqual(6);
    const { CommandInvocations: failed } = await ssm.send(new ListCommandInvocationsCommand({ Filters: [{ key: 'Status', value: 'Failed' }], Details: true }));
    expect(failed).toHaveLength(1);
    expect(failed?.[0]).toMatchObject({ InstanceId: instanceOf['fail-1'], InstanceName: expect.stringContaining('fail-1'), DocumentName: 'AWS-RunShellScript', Status: 'Failed' });
    expect(failed?.[0]?.RequestedDateTime).toBeInstanceOf(Date);
    expect(failed?.[0]?.CommandPlugins?.[0]).toMatchObject({ Name: 'aws:runShellScript', Status: 'Failed', ResponseCode: 1, Output: expect.stringContaining('health check failed') });
    const { CommandInvocations: brief } = await ssm.send(new ListCommandInvocationsCommand({ InstanceId: instanceOf['web-1'] ?? '' }));
    expect(brief?.every((i) => i.InstanceId === instanceOf['web-1'] && (i.CommandPlugins ?? []).length === 0)).toBe(true);
    await expect(ssm.send(new ListCommandInvocationsCommand({ Filters: [{ key: 'Colour' as 'Status', value: 'x' }] }))).rejects.toBeInstanceOf(InvalidFilterKey);
  });

  it('registers a late agent only after its scripted delay', async () => {
    await bed.launch(drs, ['late-1']);
    await refreshInstances();
    const listed = async () => ((await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceOf['late-1'] ?? ''] }] }))).InstanceInformationList ?? []).map((i) => i.PingStatus);
    expect(await listed()).toEqual([]);
    await expect(send('late-1')).rejects.toBeInstanceOf(InvalidInstanceId);
    bed.clock.advance(601_000);
    expect(await listed()).toEqual(['Online']);
  });

  it("keeps accounts apart: another account sees neither the instances nor the commands", async () => {
    const spoke = bed.clients(spokeCredentials).ssm;
    expect((await spoke.send(new DescribeInstanceInformationCommand({}))).InstanceInformationList).toEqual([]);
    const { CommandInvocations } = await spoke.send(new ListCommandInvocationsCommand({}));
    expect(CommandInvocations).toEqual([]);
  });

  it('answers ThrottlingException and InternalServerError from the fault plan', async () => {
    bed.handle.setFaults({ throttling: { operations: ['ssm:SendCommand'], count: 1 }, internalErrors: { operations: ['GetCommandInvocation'], count: 1 } });
    const throttled = await errorOf(send('web-1'));
    expect(throttled).toBeInstanceOf(ThrottlingException);
    expect(throttled.$metadata?.httpStatusCode).toBe(400);
    const id = (await send('web-1')).Command?.CommandId ?? '';
    const internal = await errorOf(invocation(id, 'web-1'));
    expect(internal).toBeInstanceOf(InternalServerError);
    expect(internal.$metadata?.httpStatusCode).toBe(500);
    expect((await invocation(id, 'web-1')).Status).toBe('Pending');
    bed.handle.setFaults({});
  });
});
