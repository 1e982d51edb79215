import type { Channels, SecretStore } from './channels.js';
import type { Deliveries, Delivery } from './deliveries.js';
import type { RetryPolicy } from './domain/retry-policy.js';
import { afterFailure } from './domain/retry-policy.js';
import type { ChannelSender } from './sender.js';
import { DeliveryFailure } from './sender.js';

export interface DeliveryDependencies {
  deliveries: Deliveries;
  channels: Channels;
  secrets: SecretStore;
  sender: ChannelSender;
  policy: RetryPolicy;
  /** How long an attempt holds its delivery (longer than a send may take). */
  leaseMs: number;
  /** One JSON line per outcome; never given a secret. */
  log?: (line: Record<string, unknown>) => void;
}

export type AttemptOutcome = 'skipped' | 'DELIVERED' | 'DELIVERED_TO_OUTBOX' | 'RETRY' | 'DEAD_LETTERED';

const defaultLog = (line: Record<string, unknown>) => console.info(JSON.stringify(line));

/** Whether a delivery is waiting for an attempt now (not leased by a running one). */
export function isDue(delivery: Delivery, now: Date): boolean {
  const leased = delivery.leaseUntil !== undefined && delivery.leaseUntil >= now.toISOString();
  return delivery.status === 'PENDING' && !leased && delivery.nextAttemptAt !== undefined && delivery.nextAttemptAt <= now.toISOString();
}

/**
 * One attempt of a due delivery: claimed first (so a concurrent stream record and sweeper never
 * both send it), then sent, then DELIVERED, PENDING again with its backoff, or DEAD_LETTERED
 * after its last attempt. Errors of the send are outcomes, not exceptions; errors of the store throw.
 */
export async function attemptDelivery(deps: DeliveryDependencies, candidate: Delivery, now: Date): Promise<AttemptOutcome> {
  const log = deps.log ?? defaultLog;
  if (!isDue(candidate, now)) return 'skipped';
  const delivery = await deps.deliveries.claim(candidate, now, deps.leaseMs);
  if (!delivery) return 'skipped';
  const about = { deliveryId: delivery.deliveryId, channelId: delivery.channelId, channelType: delivery.channelType, attempt: delivery.attempts, maxAttempts: delivery.maxAttempts };
  let error: string;
  try {
    const channel = await deps.channels.get(delivery.channelId);
    if (!channel) throw new DeliveryFailure('the channel was deleted');
    const status = await deps.sender.send(delivery, channel, () => deps.secrets.get(channel.channelId));
    await deps.deliveries.succeeded(delivery, status, new Date());
    log({ message: `delivery ${status}`, ...about });
    return status;
  } catch (failure) {
    if (!(failure instanceof DeliveryFailure)) throw failure;
    error = failure.message;
  }
  const failedAt = new Date();
  const next = afterFailure(delivery.attempts, failedAt, { ...deps.policy, maxAttempts: delivery.maxAttempts });
  if (next.status === 'DEAD_LETTERED') {
    await deps.deliveries.deadLetter(delivery, error, failedAt);
    log({ message: 'delivery DEAD_LETTERED after its last attempt', ...about, error });
    return 'DEAD_LETTERED';
  }
  await deps.deliveries.retryLater(delivery, error, next.nextAttemptAt, failedAt);
  log({ message: 'delivery failed, will retry', ...about, error, nextAttemptAt: next.nextAttemptAt.toISOString() });
  return 'RETRY';
}
