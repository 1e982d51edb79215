import { GetCommandInvocationCommand, ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';

export interface SendDocumentInput {
  documentName: string;
  documentVersion?: string;
  parameters: Record<string, string[]>;
  instanceIds: string[];
  /** Identifies the step's command (SSM keeps it), so a second delivery finds it. */
  comment: string;
  timeoutSeconds: number;
}

/** Pending, InProgress, Delayed, Cancelling ... or a terminal one: Success, Failed, TimedOut, Cancelled. */
export interface InvocationResult {
  instanceId: string;
  status: string;
  statusDetails?: string;
  stdout?: string;
  stderr?: string;
}

export const TERMINAL_INVOCATION_STATUSES: ReadonlySet<string> = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled', 'Undeliverable', 'Terminated', 'InvalidPlatform', 'AccessDenied', 'DeliveryTimedOut', 'ExecutionTimedOut']);

/** Run Command, as the SSM_DOCUMENT steps use it. */
export interface CommandRunner {
  /** The id of a command sent since `since` with this comment and document, if any. */
  findCommand(input: { documentName: string; comment: string; since: string }): Promise<string | undefined>;
  sendCommand(input: SendDocumentInput): Promise<string>;
  getInvocation(commandId: string, instanceId: string): Promise<InvocationResult>;
}

export class SsmCommandRunner implements CommandRunner {
  constructor(private readonly client: SSMClient = new SSMClient({})) {}

  async findCommand(input: { documentName: string; comment: string; since: string }): Promise<string | undefined> {
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListCommandInvocationsCommand({
        Filters: [{ key: 'InvokedAfter', value: input.since }, { key: 'DocumentName', value: input.documentName }],
        MaxResults: 50,
        NextToken: nextToken,
      }));
      const found = (page.CommandInvocations ?? []).find((c) => c.Comment === input.comment && c.CommandId);
      if (found?.CommandId) return found.CommandId;
      nextToken = page.NextToken;
    } while (nextToken);
    return undefined;
  }

  async sendCommand(input: SendDocumentInput): Promise<string> {
    const response = await this.client.send(new SendCommandCommand({
      DocumentName: input.documentName,
      ...(input.documentVersion ? { DocumentVersion: input.documentVersion } : {}),
      Parameters: input.parameters,
      InstanceIds: input.instanceIds,
      Comment: input.comment,
      TimeoutSeconds: Math.max(30, Math.min(2_592_000, input.timeoutSeconds)),
    }));
    const commandId = response.Command?.CommandId;
    if (!commandId) throw new Error(`SSM SendCommand of ${input.documentName} answered no command id`);
    return commandId;
  }

  async getInvocation(commandId: string, instanceId: string): Promise<InvocationResult> {
    try {
      const r = await this.client.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      return {
        instanceId,
        status: r.Status ?? 'Pending',
        ...(r.StatusDetails ? { statusDetails: r.StatusDetails } : {}),
        ...(r.StandardOutputContent ? { stdout: r.StandardOutputContent } : {}),
        ...(r.StandardErrorContent ? { stderr: r.StandardErrorContent } : {}),
      };
    } catch (error) {
      // Right after SendCommand the invocation may not be visible yet.
      if ((error as { name?: string }).name === 'InvocationDoesNotExist') return { instanceId, status: 'Pending' };
      throw error;
    }
  }
}
