/**
 * Which events a plan's subscription asks for, and which channels get a message. Pure.
 */
import type { NotificationEventKind } from '@lifeboat/service-api';
import type { NotifiableEvent } from './messages.js';

/** The subscription kind of each notifiable event. */
export const KIND_OF_EVENT: Readonly<Record<NotifiableEvent['type'], NotificationEventKind>> = {
  ExecutionStarted: 'STARTED',
  WaveCompleted: 'WAVE_COMPLETED',
  ApprovalRequested: 'APPROVAL_REQUESTED',
  WaveFailed: 'FAILED',
  ExecutionFailed: 'FAILED',
  ExecutionCompleted: 'COMPLETED',
  DrillCleanupCompleted: 'CLEANUP',
};

export interface Subscription {
  planId: string;
  channelId: string;
  events: readonly NotificationEventKind[];
}

/** The channels subscribed to this kind of event of this plan, each once. */
export function channelsFor(kind: NotificationEventKind, planId: string, subscriptions: readonly Subscription[]): string[] {
  const channels = subscriptions.filter((s) => s.planId === planId && s.events.includes(kind)).map((s) => s.channelId);
  return [...new Set(channels)].sort();
}
