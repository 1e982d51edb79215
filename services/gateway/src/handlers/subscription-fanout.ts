/**
 * Feeds GraphQL subscriptions from the Lifeboat bus: every event of source `lifeboat.execution`
 * (an event of an execution's stream) goes to the clients subscribed to that execution.
 *
 * GATEWAY_SUBSCRIPTIONS says where those clients are:
 *   - `local`: in this process, connected to the local gateway's WebSocket server; the local
 *     runtime calls this handler in-process and it publishes into the process-wide broker.
 *   - `apigateway`: connected to an API Gateway WebSocket API. That fan-out (connections table,
 *     PostToConnection) is not built yet: it is part of the gateway issue that deploys the
 *     WebSocket API. Until then this handler fails loudly on AWS, and undelivered events wait in
 *     the rule's dead-letter queue, rather than pretending to deliver them.
 *
 * Duplicates and out-of-order events are fine: each subscription delivers by stream version.
 */
import type { EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { fromEventBridge, validateEventDetail } from '@lifeboat/events';
import { requiredEnv } from '@lifeboat/service-api';
import { executionEventBroker, executionIdOf } from '../subscriptions/broker.js';
import type { ExecutionEventBroker } from '../subscriptions/broker.js';

export type SubscriptionsMode = 'local' | 'apigateway';

export const EXECUTION_SOURCE = 'lifeboat.execution';

export interface FanoutResult {
  /** Subscriptions the event was handed to. */
  delivered: number;
}

function modeFromEnv(): SubscriptionsMode {
  const mode = requiredEnv('GATEWAY_SUBSCRIPTIONS');
  if (mode !== 'local' && mode !== 'apigateway') throw new Error(`Environment variable GATEWAY_SUBSCRIPTIONS must be local or apigateway, not ${mode}`);
  return mode;
}

/** The fan-out handler, for a given mode and broker (the exported `handler` reads the mode from the environment). */
export function createSubscriptionFanout(options: { mode?: () => SubscriptionsMode; broker?: ExecutionEventBroker } = {}) {
  const mode = options.mode ?? modeFromEnv;
  const broker = options.broker ?? executionEventBroker;
  return async (event: EventBridgeEnvelope<EventDetail>): Promise<FanoutResult> => {
    if (event.source !== EXECUTION_SOURCE) throw new Error(`subscriptionFanout handles ${EXECUTION_SOURCE} events, not ${event.source}; its rule is mis-wired`);
    validateEventDetail(event['detail-type'], event.detail);
    const domainEvent = fromEventBridge(event);
    const { metadata } = domainEvent;
    if (!executionIdOf(domainEvent) || typeof metadata.streamVersion !== 'number' || typeof metadata.hash !== 'string') {
      throw new Error(`${event['detail-type']} ${metadata.eventId} has no executionId or no stream position (streamVersion, hash)`);
    }
    switch (mode()) {
      case 'local':
        return { delivered: broker.publish(domainEvent) };
      case 'apigateway':
        throw new Error('The API Gateway WebSocket fan-out of subscriptions is not implemented yet (gateway issue); the event stays in the dead-letter queue');
    }
  };
}

export const handler = createSubscriptionFanout();
