import { ApiGatewayManagementApiClient, DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { stringifyMessage } from 'graphql-ws';
import type { CloseCode, Message } from 'graphql-ws';

/** `gone`: the client is no longer connected (API Gateway answered 410); forget the connection. */
export type SendOutcome = 'sent' | 'gone';

/** The clients on the other end of the WebSocket API, as a Lambda function reaches them. */
export interface ClientConnections {
  /** Sends one graphql-transport-ws message. */
  send(connectionId: string, message: Message): Promise<SendOutcome>;
  /**
   * Closes the connection. API Gateway closes with 1000 whatever the reason (DeleteConnection takes
   * no close code): the graphql-ws `code` and `reason` are logged, for whoever diagnoses a client.
   */
  close(connectionId: string, code: CloseCode, reason: string): Promise<void>;
}

/** Where notices go (one line each; CloudWatch Logs on AWS). */
export type NoticeLogger = (line: string) => void;

export const consoleNoticeLogger: NoticeLogger = (line) => console.info(line);

function isGone(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return error.name === 'GoneException' || status === 410;
}

/**
 * The API Gateway Management API of one WebSocket API stage (`https://<api id>.execute-api.<region>.amazonaws.com/<stage>`):
 * PostToConnection and DeleteConnection on `@connections/<id>`.
 */
export class ApiGatewayConnections implements ClientConnections {
  constructor(
    private readonly client: ApiGatewayManagementApiClient,
    private readonly notice: NoticeLogger = consoleNoticeLogger,
  ) {}

  static forEndpoint(endpoint: string, notice?: NoticeLogger): ApiGatewayConnections {
    return new ApiGatewayConnections(new ApiGatewayManagementApiClient({ endpoint }), notice);
  }

  async send(connectionId: string, message: Message): Promise<SendOutcome> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: stringifyMessage(message) }));
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
  }

  async close(connectionId: string, code: CloseCode, reason: string): Promise<void> {
    this.notice(JSON.stringify({ message: 'Closing a WebSocket connection', connectionId, code, reason }));
    try {
      await this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    } catch (error) {
      // Already gone: closed is what was wanted.
      if (!isGone(error)) throw error;
    }
  }
}
