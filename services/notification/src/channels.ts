import type { NotificationChannelView, NotificationEventKind } from '@lifeboat/service-api';

/** A channel as stored: what the API answers (never its secret, which is in the SecretStore), and more. */
export interface Channel extends NotificationChannelView {
  /** EMAIL on AWS: the address's subscription to the service's topic. */
  subscriptionArn?: string;
}

export interface PlanSubscription {
  planId: string;
  channelId: string;
  events: NotificationEventKind[];
  updatedAt: string;
}

/** Port: channels and the plans' subscriptions to them. */
export interface Channels {
  get(channelId: string): Promise<Channel | undefined>;
  list(): Promise<Channel[]>;
  /** 'exists' when creating over an existing id. */
  put(channel: Channel, mode: 'create' | 'replace'): Promise<'written' | 'exists' | 'missing'>;
  delete(channelId: string): Promise<boolean>;
  subscriptionsOf(planId: string): Promise<PlanSubscription[]>;
  allSubscriptions(): Promise<PlanSubscription[]>;
  putSubscription(subscription: PlanSubscription): Promise<void>;
  deleteSubscription(planId: string, channelId: string): Promise<boolean>;
  deleteSubscriptionsOf(channelId: string): Promise<void>;
}

/**
 * Port: channel secrets (WEBHOOK signing secrets, Slack / Teams webhook URLs). Values never
 * leave the delivery path: never logged, never answered.
 */
export interface SecretStore {
  put(channelId: string, secret: string): Promise<void>;
  /** undefined when there is none. */
  get(channelId: string): Promise<string | undefined>;
  delete(channelId: string): Promise<void>;
}
