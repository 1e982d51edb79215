/** Port: SNS, for SNS_TOPIC and EMAIL channels (absent locally: those messages stay in the outbox). */
export interface Topics {
  publish(input: { topicArn: string; subject: string; message: string; attributes?: Record<string, string> }): Promise<void>;
  /** Subscribes an e-mail address to the topic, receiving only messages whose `channelId` attribute is this channel's. The SubscriptionArn (pending until the address confirms). */
  subscribeEmail(topicArn: string, address: string, channelId: string): Promise<string>;
  unsubscribe(subscriptionArn: string): Promise<void>;
}
