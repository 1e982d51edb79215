import { describe, expect, it } from '@jest/globals';
import { NOTIFIABLE_EVENT_TYPES } from '../../src/domain/messages.js';
import { channelsFor, KIND_OF_EVENT } from '../../src/domain/routing.js';

const subscriptions = [
  { planId: 'plan-1', channelId: 'ch-slack', events: ['FAILED', 'APPROVAL_REQUESTED'] as const },
  { planId: 'plan-1', channelId: 'ch-mail', events: ['STARTED', 'COMPLETED', 'FAILED'] as const },
  { planId: 'plan-2', channelId: 'ch-slack', events: ['STARTED'] as const },
];

describe('routing events to channels', () => {
  it('given a plan\'s subscriptions, when a wave fails, then every channel subscribed to FAILED of that plan gets it', () => {
    expect(channelsFor(KIND_OF_EVENT.WaveFailed, 'plan-1', subscriptions)).toEqual(['ch-mail', 'ch-slack']);
  });

  it('sends an approval request only where it was asked for', () => {
    expect(channelsFor(KIND_OF_EVENT.ApprovalRequested, 'plan-1', subscriptions)).toEqual(['ch-slack']);
  });

  it('never routes another plan\'s subscriptions', () => {
    expect(channelsFor('STARTED', 'plan-3', subscriptions)).toEqual([]);
    expect(channelsFor('STARTED', 'plan-2', subscriptions)).toEqual(['ch-slack']);
  });

  it('maps every notifiable event to a kind', () => {
    expect(NOTIFIABLE_EVENT_TYPES.map((type) => KIND_OF_EVENT[type])).toEqual(['STARTED', 'WAVE_COMPLETED', 'FAILED', 'COMPLETED', 'FAILED', 'APPROVAL_REQUESTED', 'CLEANUP']);
  });
});
