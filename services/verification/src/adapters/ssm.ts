import {
  DescribeInstanceInformationCommand, GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, type SSMClient,
} from '@aws-sdk/client-ssm';
import type { AgentFacts, InvocationFacts } from '../domain/checks.js';
import type { CommandRequest, SsmPort } from '../verify.js';

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

/** SSM: the agent's registration and ping, and Run Command of the health-check documents. */
export class SsmAdapter implements SsmPort {
  constructor(private readonly ssm: SSMClient) {}

  async agent(instanceId: string): Promise<AgentFacts | undefined> {
    const { InstanceInformationList } = await this.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: [instanceId] }] }));
    const info = InstanceInformationList?.find((i) => i.InstanceId === instanceId);
    if (!info?.PingStatus) return undefined;
    return {
      pingStatus: info.PingStatus,
      ...(info.PlatformName ? { platformName: [info.PlatformName, info.PlatformVersion].filter(Boolean).join(' ') } : {}),
      ...(info.AgentVersion ? { agentVersion: info.AgentVersion } : {}),
    };
  }

  /** The newest invocation on the instance whose Comment is this one (every page), if any. */
  private async sent(request: CommandRequest): Promise<string | undefined> {
    let NextToken: string | undefined;
    do {
      const page = await this.ssm.send(new ListCommandInvocationsCommand({
        InstanceId: request.instanceId,
        Filters: [{ key: 'DocumentName', value: request.documentName }],
        MaxResults: 50,
        NextToken,
      }));
      const match = page.CommandInvocations?.find((i) => i.Comment === request.comment && i.CommandId);
      if (match?.CommandId) return match.CommandId;
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    return undefined;
  }

  async findOrSend(request: CommandRequest): Promise<string> {
    const existing = await this.sent(request);
    if (existing) return existing;
    const { Command } = await this.ssm.send(new SendCommandCommand({
      DocumentName: request.documentName,
      InstanceIds: [request.instanceId],
      Parameters: request.parameters,
      Comment: request.comment,
      TimeoutSeconds: request.timeoutSeconds,
    }));
    if (!Command?.CommandId) throw new Error(`SendCommand of ${request.documentName} to ${request.instanceId} answered no CommandId`);
    return Command.CommandId;
  }

  async invocation(commandId: string, instanceId: string): Promise<InvocationFacts | undefined> {
    try {
      const answer = await this.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      return {
        commandId,
        status: answer.Status ?? 'Pending',
        ...(answer.StatusDetails ? { statusDetails: answer.StatusDetails } : {}),
        ...(answer.ResponseCode !== undefined ? { responseCode: answer.ResponseCode } : {}),
        ...(answer.StandardOutputContent ? { stdout: answer.StandardOutputContent } : {}),
        ...(answer.StandardErrorContent ? { stderr: answer.StandardErrorContent } : {}),
      };
    } catch (error) {
      // Right after SendCommand, SSM can briefly not know the invocation yet.
      if (errorName(error) === 'InvocationDoesNotExist') return undefined;
      throw error;
    }
  }
}
