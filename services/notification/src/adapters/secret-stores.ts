import { DeleteParameterCommand, GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SecretStore } from '../channels.js';

/** `/lifeboat/<stage>/notification/channels/<channelId>/secret`. */
export function secretParameterName(stage: string, channelId: string): string {
  return `/lifeboat/${stage}/notification/channels/${channelId}/secret`;
}

/**
 * SSM Parameter Store, SecureString (encrypted with the account's aws/ssm key). Errors name
 * the parameter, never its value.
 */
export class SsmSecretStore implements SecretStore {
  constructor(
    private readonly ssm: SSMClient,
    private readonly stage: string,
  ) {}

  async put(channelId: string, secret: string): Promise<void> {
    await this.ssm.send(new PutParameterCommand({ Name: secretParameterName(this.stage, channelId), Value: secret, Type: 'SecureString', Overwrite: true, Description: 'Lifeboat notification channel secret' }));
  }

  async get(channelId: string): Promise<string | undefined> {
    try {
      const { Parameter } = await this.ssm.send(new GetParameterCommand({ Name: secretParameterName(this.stage, channelId), WithDecryption: true }));
      return Parameter?.Value;
    } catch (error) {
      if ((error as { name?: string }).name === 'ParameterNotFound') return undefined;
      throw error;
    }
  }

  async delete(channelId: string): Promise<void> {
    try {
      await this.ssm.send(new DeleteParameterCommand({ Name: secretParameterName(this.stage, channelId) }));
    } catch (error) {
      if ((error as { name?: string }).name !== 'ParameterNotFound') throw error;
    }
  }
}

/** The key of a channel's secret item in the channels table (no channel id starts with `#`). */
const secretKey = (channelId: string) => `#secret/${channelId}`;

/**
 * The local runtime's store (NOTIFICATION_SECRET_STORE=table): the local DRS simulator speaks no
 * Parameter Store. One item per secret in the channels table, apart from the channel's item, so
 * that no channel read ever carries it. Not encrypted beyond the data folder: local use only.
 */
export class TableSecretStore implements SecretStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(channelId: string, secret: string): Promise<void> {
    await this.documents.send(new PutCommand({ TableName: this.tableName, Item: { channelId: secretKey(channelId), secret } }));
  }

  async get(channelId: string): Promise<string | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { channelId: secretKey(channelId) }, ConsistentRead: true }));
    return typeof Item?.secret === 'string' ? Item.secret : undefined;
  }

  async delete(channelId: string): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: { channelId: secretKey(channelId) } }));
  }
}
