import { DeleteLaunchActionCommand, DrsClient, GetLaunchConfigurationCommand, PutLaunchActionCommand, UpdateLaunchConfigurationCommand } from '@aws-sdk/client-drs';
import { CreateLaunchTemplateVersionCommand, DescribeLaunchTemplateVersionsCommand, EC2Client, ModifyLaunchTemplateCommand } from '@aws-sdk/client-ec2';
import type { LaunchTemplateInstanceNetworkInterfaceSpecificationRequest, RequestLaunchTemplateData, _InstanceType } from '@aws-sdk/client-ec2';
import type { ServerLaunchCalls } from '../domain/launch-settings.js';
import { launchActionName } from '../domain/launch-settings.js';
import type { LaunchSettingsPort } from '../ports.js';

export interface LaunchClients {
  drs(region: string): DrsClient;
  ec2(region: string): EC2Client;
}

/** One client per region, with the function's own credentials (see README: other accounts). */
export function regionalClients(): LaunchClients {
  const drs = new Map<string, DrsClient>();
  const ec2 = new Map<string, EC2Client>();
  return {
    drs: (region) => drs.get(region) ?? (drs.set(region, new DrsClient({ region })).get(region) as DrsClient),
    ec2: (region) => ec2.get(region) ?? (ec2.set(region, new EC2Client({ region })).get(region) as EC2Client),
  };
}

/**
 * A server's launch settings in DRS. DRS's own API carries copyPrivateIp, copyTags,
 * launchDisposition, right-sizing and postLaunchEnabled (UpdateLaunchConfiguration); the subnet,
 * security groups and instance type live in the EC2 launch template DRS made for the server
 * (GetLaunchConfiguration's ec2LaunchTemplateID): a new template version from the default one,
 * with network interface 0 and the instance type changed, becomes the default. Post-launch SSM
 * documents are DRS launch actions of the source server (PutLaunchAction / DeleteLaunchAction).
 */
export class DrsLaunchSettings implements LaunchSettingsPort {
  constructor(private readonly clients: LaunchClients) {}

  async apply(site: { accountId: string; region: string }, calls: ServerLaunchCalls): Promise<void> {
    const drs = this.clients.drs(site.region);
    const sourceServerID = calls.sourceServerId;
    if (calls.configuration) await drs.send(new UpdateLaunchConfigurationCommand({ sourceServerID, ...calls.configuration }));
    if (calls.template) await this.updateTemplate(drs, site.region, calls);
    for (const action of calls.putActions) {
      await drs.send(
        new PutLaunchActionCommand({
          resourceId: sourceServerID,
          actionId: action.actionId,
          actionCode: action.documentName,
          actionVersion: action.documentVersion,
          name: launchActionName(action.documentName),
          order: action.order,
          optional: action.optional,
          active: true,
          category: action.category,
          description: action.description,
          ...(action.parameters.length > 0 ? { parameters: Object.fromEntries(action.parameters.map((p) => [p.name, { value: p.value, type: p.type ?? 'DYNAMIC' }])) } : {}),
        }),
      );
    }
    for (const actionId of calls.deleteActionIds) {
      try {
        await drs.send(new DeleteLaunchActionCommand({ resourceId: sourceServerID, actionId }));
      } catch (error) {
        // Already gone: what a repeated task finds.
        if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
      }
    }
  }

  private async updateTemplate(drs: DrsClient, region: string, calls: ServerLaunchCalls): Promise<void> {
    const template = calls.template ?? {};
    const configuration = await drs.send(new GetLaunchConfigurationCommand({ sourceServerID: calls.sourceServerId }));
    const launchTemplateId = configuration.ec2LaunchTemplateID;
    if (!launchTemplateId) throw Object.assign(new Error(`DRS has no EC2 launch template for ${calls.sourceServerId}`), { name: 'LaunchTemplateNotFound' });
    const ec2 = this.clients.ec2(region);
    const current = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: ['$Default'] }));
    const version = current.LaunchTemplateVersions?.[0];
    const data: RequestLaunchTemplateData = {};
    // Validated against EC2's naming; newer types than this SDK's list are still types.
    if (template.instanceType !== undefined) data.InstanceType = template.instanceType as _InstanceType;
    if (template.subnetId !== undefined || template.securityGroupIds !== undefined) {
      // The list of interfaces is replaced as a whole: keep what DRS set on the others and on eth0.
      const interfaces: LaunchTemplateInstanceNetworkInterfaceSpecificationRequest[] = (version?.LaunchTemplateData?.NetworkInterfaces ?? []).map((ni) => ({
        ...(ni.DeviceIndex !== undefined ? { DeviceIndex: ni.DeviceIndex } : {}),
        ...(ni.SubnetId !== undefined ? { SubnetId: ni.SubnetId } : {}),
        ...(ni.Groups !== undefined ? { Groups: ni.Groups } : {}),
        ...(ni.PrivateIpAddress !== undefined ? { PrivateIpAddress: ni.PrivateIpAddress } : {}),
        ...(ni.AssociatePublicIpAddress !== undefined ? { AssociatePublicIpAddress: ni.AssociatePublicIpAddress } : {}),
        ...(ni.DeleteOnTermination !== undefined ? { DeleteOnTermination: ni.DeleteOnTermination } : {}),
        ...(ni.Description !== undefined ? { Description: ni.Description } : {}),
        ...(ni.NetworkCardIndex !== undefined ? { NetworkCardIndex: ni.NetworkCardIndex } : {}),
      }));
      let primary = interfaces.find((ni) => (ni.DeviceIndex ?? 0) === 0);
      if (!primary) interfaces.unshift((primary = { DeviceIndex: 0 }));
      if (template.subnetId !== undefined) primary.SubnetId = template.subnetId;
      if (template.securityGroupIds !== undefined) primary.Groups = [...template.securityGroupIds];
      data.NetworkInterfaces = interfaces;
    }
    const created = await ec2.send(
      new CreateLaunchTemplateVersionCommand({
        LaunchTemplateId: launchTemplateId,
        ...(version?.VersionNumber !== undefined ? { SourceVersion: String(version.VersionNumber) } : {}),
        VersionDescription: `Lifeboat launch settings of ${calls.sourceServerId}`,
        LaunchTemplateData: data,
      }),
    );
    const number = created.LaunchTemplateVersion?.VersionNumber;
    if (number === undefined) throw new Error(`EC2 created no version of launch template ${launchTemplateId}`);
    await ec2.send(new ModifyLaunchTemplateCommand({ LaunchTemplateId: launchTemplateId, DefaultVersion: String(number) }));
  }
}
