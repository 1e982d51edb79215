import { PublishCommand, SNSClient, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import type { Topics } from '../topics.js';

/** SNS topics (and e-mail through a topic) on AWS: NOTIFICATION_TOPIC_DELIVERY=sns. */
export class SnsTopics implements Topics {
  constructor(private readonly client: SNSClient = new SNSClient({})) {}

  async publish({ topicArn, subject, message, attributes }: { topicArn: string; subject: string; message: string; attributes?: Record<string, string> }): Promise<void> {
    const MessageAttributes = attributes ? Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) : undefined;
    await this.client.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message, ...(MessageAttributes ? { MessageAttributes } : {}) }));
  }

  async subscribeEmail(topicArn: string, address: string, channelId: string): Promise<string> {
    const result = await this.client.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'email',
        Endpoint: address,
        ReturnSubscriptionArn: true,
        // One topic for every e-mail channel: each address gets only its channel's messages.
        Attributes: { FilterPolicy: JSON.stringify({ channelId: [channelId] }), FilterPolicyScope: 'MessageAttributes' },
      }),
    );
    return result.SubscriptionArn ?? '';
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    await this.client.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
  }
}
