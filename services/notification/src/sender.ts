import type { Channel } from './channels.js';
import type { Delivery } from './deliveries.js';
import { slackPayload, snsSubject, teamsPayload, webhookPayload } from './domain/payloads.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signature } from './signature.js';
import type { Topics } from './topics.js';

/** A failed attempt. Its message is safe to log and to show: it never holds a secret or a secret URL. */
export class DeliveryFailure extends Error {
  override readonly name = 'DeliveryFailure';
  constructor(message: string) {
    super(message);
  }
}

export interface SenderOptions {
  /** SNS (AWS), or undefined: SNS and e-mail messages stay in the outbox (local runtime). */
  topics: Topics | undefined;
  /** The service's topic that e-mail addresses subscribe to. */
  emailTopicArn: string | undefined;
  timeoutMs: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** `host[:port]` of a URL, the only part of it a log or an error names. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid URL';
  }
}

/** The code of a network error (ECONNREFUSED, timeouts), never its message: messages may quote the URL. */
function networkCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : typeof (error as { name?: unknown }).name === 'string' ? String((error as { name: string }).name) : 'error';
  return code === 'TimeoutError' || code === 'AbortError' ? 'timed out' : code;
}

/** Sends one delivery to its channel; throws a DeliveryFailure. */
export class ChannelSender {
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;

  constructor(private readonly options: SenderOptions) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? (() => new Date());
  }

  /** 'DELIVERED', or 'DELIVERED_TO_OUTBOX' for SNS / e-mail without SNS (locally). */
  async send(delivery: Delivery, channel: Channel, secret: () => Promise<string | undefined>): Promise<'DELIVERED' | 'DELIVERED_TO_OUTBOX'> {
    switch (channel.type) {
      case 'SNS_TOPIC':
      case 'EMAIL':
        return this.publish(delivery, channel);
      case 'SLACK_WEBHOOK':
      case 'TEAMS_WEBHOOK': {
        const url = await secret();
        if (!url) throw new DeliveryFailure('the channel has no webhook URL stored');
        await this.post(url, JSON.stringify(channel.type === 'SLACK_WEBHOOK' ? slackPayload(delivery) : teamsPayload(delivery)), {});
        return 'DELIVERED';
      }
      case 'WEBHOOK': {
        const key = await secret();
        if (!key) throw new DeliveryFailure('the channel has no signing secret stored');
        if (!channel.url) throw new DeliveryFailure('the channel has no URL');
        const body = JSON.stringify(webhookPayload(delivery));
        const timestamp = String(Math.floor(this.now().getTime() / 1000));
        await this.post(channel.url, body, { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signature(key, timestamp, body), 'X-Lifeboat-Delivery': delivery.deliveryId });
        return 'DELIVERED';
      }
      default: {
        const unexpected: never = channel.type;
        throw new DeliveryFailure(`unknown channel type ${String(unexpected)}`);
      }
    }
  }

  private async publish(delivery: Delivery, channel: Channel): Promise<'DELIVERED' | 'DELIVERED_TO_OUTBOX'> {
    const { topics } = this.options;
    if (!topics) return 'DELIVERED_TO_OUTBOX';
    const topicArn = channel.type === 'EMAIL' ? this.options.emailTopicArn : channel.topicArn;
    if (!topicArn) throw new DeliveryFailure(channel.type === 'EMAIL' ? 'no e-mail topic is configured (NOTIFICATION_EMAIL_TOPIC_ARN)' : 'the channel has no topic ARN');
    try {
      await topics.publish({ topicArn, subject: snsSubject(delivery.subject), message: delivery.text, ...(channel.type === 'EMAIL' ? { attributes: { channelId: channel.channelId } } : {}) });
      return 'DELIVERED';
    } catch (error) {
      const name = (error as { name?: unknown }).name;
      throw new DeliveryFailure(`SNS Publish failed: ${typeof name === 'string' ? name : 'error'}`);
    }
  }

  private async post(url: string, body: string, headers: Record<string, string>): Promise<void> {
    let status: number;
    try {
      const response = await this.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Lifeboat-Notification', ...headers },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
    } catch (error) {
      throw new DeliveryFailure(`could not reach ${hostOf(url)}: ${networkCode(error)}`);
    }
    if (status >= 200 && status < 300) return;
    // Every failure is retried (a 4xx too: the receiver may be fixed meanwhile), then dead-lettered.
    throw new DeliveryFailure(`HTTP ${status} from ${hostOf(url)}`);
  }
}
