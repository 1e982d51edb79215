import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DeleteLaunchActionCommand, DrsClient, GetLaunchConfigurationCommand, PutLaunchActionCommand, UpdateLaunchConfigurationCommand } from '@aws-sdk/client-drs';
import { CreateLaunchTemplateVersionCommand, DescribeLaunchTemplateVersionsCommand, EC2Client, ModifyLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import { stubClient } from '@lifeboat/testing';
import { DrsLaunchSettings, regionalClients } from '../src/adapters/drs-launch-settings.js';
import type { ServerLaunchCalls } from '../src/domain/launch-settings.js';
import { serverId } from './support/fixtures.js';

const drs = stubClient(DrsClient);
const ec2 = stubClient(EC2Client);
const site = { accountId: '123456789012', region: 'eu-west-1' };
const S = serverId(1);
const action = { actionId: '00000000-0000-4000-8000-000000000001', documentName: 'arn:aws:ssm:eu-west-1:123456789012:document/Lifeboat-Check', documentVersion: '$LATEST', parameters: [{ name: 'port', value: '5432', type: 'DYNAMIC' as const }], optional: false, category: 'VALIDATION' as const, description: 'Database answers', order: 100 };

beforeEach(() => {
  drs.reset();
  ec2.reset();
  drs.on(UpdateLaunchConfigurationCommand).resolves({});
  drs.on(PutLaunchActionCommand).resolves({});
  drs.on(DeleteLaunchActionCommand).resolves({});
  drs.on(GetLaunchConfigurationCommand).resolves({ sourceServerID: S, ec2LaunchTemplateID: 'lt-0123456789abcdef0' });
  ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
    LaunchTemplateVersions: [{ VersionNumber: 7, LaunchTemplateData: { InstanceType: 't3.small', NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: 'subnet-00000000000000001', Groups: ['sg-00000000000000001'], PrivateIpAddress: '10.0.0.5', AssociatePublicIpAddress: false }] } }],
  });
  ec2.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: { VersionNumber: 8 } });
  ec2.on(ModifyLaunchTemplateCommand).resolves({});
});

afterAll(() => {
  drs.restore();
  ec2.restore();
});

const apply = (calls: Partial<ServerLaunchCalls>) => new DrsLaunchSettings(regionalClients()).apply(site, { sourceServerId: S, putActions: [], deleteActionIds: [], ...calls });

describe('DRS launch settings adapter', () => {
  it('updates the DRS launch configuration with exactly the settings DRS carries', async () => {
    await apply({ configuration: { copyPrivateIp: true, copyTags: false, launchDisposition: 'STOPPED', targetInstanceTypeRightSizingMethod: 'NONE', postLaunchEnabled: true } });
    expect(drs.commandCalls(UpdateLaunchConfigurationCommand).map((c) => c.args[0].input)).toEqual([
      { sourceServerID: S, copyPrivateIp: true, copyTags: false, launchDisposition: 'STOPPED', targetInstanceTypeRightSizingMethod: 'NONE', postLaunchEnabled: true },
    ]);
    expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand)).toEqual([]);
  });

  it('puts a new default version of the server’s EC2 launch template for subnet, security groups and instance type', async () => {
    await apply({ template: { subnetId: 'subnet-0123456789abcdef0', securityGroupIds: ['sg-0123456789abcdef0', 'sg-0123456789abcdef1'], instanceType: 'r5.large' } });
    expect(drs.commandCalls(GetLaunchConfigurationCommand).map((c) => c.args[0].input)).toEqual([{ sourceServerID: S }]);
    expect(ec2.commandCalls(DescribeLaunchTemplateVersionsCommand).map((c) => c.args[0].input)).toEqual([{ LaunchTemplateId: 'lt-0123456789abcdef0', Versions: ['$Default'] }]);
    expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand).map((c) => c.args[0].input)).toEqual([
      {
        LaunchTemplateId: 'lt-0123456789abcdef0',
        SourceVersion: '7',
        VersionDescription: `Lifeboat launch settings of ${S}`,
        LaunchTemplateData: {
          InstanceType: 'r5.large',
          NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: 'subnet-0123456789abcdef0', Groups: ['sg-0123456789abcdef0', 'sg-0123456789abcdef1'], PrivateIpAddress: '10.0.0.5', AssociatePublicIpAddress: false }],
        },
      },
    ]);
    expect(ec2.commandCalls(ModifyLaunchTemplateCommand).map((c) => c.args[0].input)).toEqual([{ LaunchTemplateId: 'lt-0123456789abcdef0', DefaultVersion: '8' }]);
  });

  it('registers post-launch SSM documents as DRS launch actions, and removes the ones that went', async () => {
    await apply({ putActions: [action], deleteActionIds: ['00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'] });
    expect(drs.commandCalls(PutLaunchActionCommand).map((c) => c.args[0].input)).toEqual([
      {
        resourceId: S,
        actionId: action.actionId,
        actionCode: action.documentName,
        actionVersion: '$LATEST',
        name: 'arn-aws-ssm-eu-west-1-123456789012-document/Lifeboat-Check',
        order: 100,
        optional: false,
        active: true,
        category: 'VALIDATION',
        description: 'Database answers',
        parameters: { port: { value: '5432', type: 'DYNAMIC' } },
      },
    ]);
    expect(drs.commandCalls(DeleteLaunchActionCommand).map((c) => c.args[0].input)).toEqual([
      { resourceId: S, actionId: '00000000-0000-4000-8000-000000000002' },
      { resourceId: S, actionId: '00000000-0000-4000-8000-000000000003' },
    ]);
  });

  it('takes an action that is already gone as removed, and passes on other errors', async () => {
    drs.on(DeleteLaunchActionCommand).rejects(Object.assign(new Error('no such action'), { name: 'ResourceNotFoundException' }));
    await expect(apply({ deleteActionIds: [action.actionId] })).resolves.toBeUndefined();
    drs.on(UpdateLaunchConfigurationCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    await expect(apply({ configuration: { copyTags: true } })).rejects.toThrow('slow down');
  });

  it('calls DRS in the region of the group', async () => {
    await apply({ configuration: { copyTags: true } });
    const [call] = drs.commandCalls(UpdateLaunchConfigurationCommand) as unknown as { thisValue: DrsClient }[];
    expect(await call?.thisValue.config.region()).toBe('eu-west-1');
  });
});
