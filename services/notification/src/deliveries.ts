import type { NotificationChannelType, NotificationDeliveryStatus } from '@lifeboat/service-api';
import type { DeliveryMessage } from './domain/payloads.js';

/** One message on its way to one channel (an item of NotificationDeliveriesTable). */
export interface Delivery extends DeliveryMessage {
  channelId: string;
  channelType: NotificationChannelType;
  status: NotificationDeliveryStatus;
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  /** PENDING only: not attempted before. */
  nextAttemptAt?: string;
  /** While an attempt runs: no other attempt starts before (a crashed attempt is taken over after it). */
  leaseUntil?: string;
  /** Never holds a secret or a secret URL. */
  lastError?: string;
  deliveredAt?: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeliveryQuery {
  status?: NotificationDeliveryStatus;
  channelId?: string;
  limit: number;
  nextToken?: string;
}

export interface DeliveryPage {
  items: Delivery[];
  nextToken: string | null;
}

/** Port: the deliveries and their attempts. Every transition is conditional, so concurrent attempts never double up. */
export interface Deliveries {
  /** 'duplicate' when this deliveryId exists (a redelivered event). */
  create(delivery: Delivery): Promise<'created' | 'duplicate'>;
  get(deliveryId: string): Promise<Delivery | undefined>;
  /** Starts attempt `attempts + 1` of a due, unleased PENDING delivery; undefined when another attempt has it or it is not due. */
  claim(delivery: Delivery, now: Date, leaseMs: number): Promise<Delivery | undefined>;
  succeeded(delivery: Delivery, status: 'DELIVERED' | 'DELIVERED_TO_OUTBOX', now: Date): Promise<void>;
  retryLater(delivery: Delivery, error: string, nextAttemptAt: Date, now: Date): Promise<void>;
  deadLetter(delivery: Delivery, error: string, now: Date): Promise<void>;
  /** PENDING deliveries whose next attempt is due at `now`. */
  due(now: Date): Promise<Delivery[]>;
  list(query: DeliveryQuery): Promise<DeliveryPage>;
  /** A DEAD_LETTERED delivery back to PENDING from its first attempt; undefined when it is not dead-lettered. */
  redrive(deliveryId: string, now: Date): Promise<Delivery | undefined>;
}
