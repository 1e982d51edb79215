/**
 * Feeds GraphQL subscriptions from the Lifeboat bus: every event of an execution's stream (source
 * `lifeboat.execution`) and the catalog's SourceServerDiscovered / SourceServerChanged /
 * SourceServerRemoved (source `lifeboat.catalog`) go to the subscriptions of their topics
 * (`topicsOf`: the execution's stream, executions, approvals, inventory).
 *
 * GATEWAY_SUBSCRIPTIONS says where those clients are:
 *   - `local`: in this process, connected to the local gateway's WebSocket server; the local
 *     runtime calls this handler in-process and it publishes into the process-wide broker.
 *   - `apigateway`: connected to the gateway's API Gateway WebSocket API; the subscriptions are in
 *     DynamoDB and each push is a PostToConnection (src/websocket/fanout.ts).
 *
 * Duplicates and out-of-order events are fine: each subscription's feed decides what to push.
 * A claim-checked event (over EventBridge's 256 KB, e.g. the ExecutionStarted of a plan of
 * thousands of servers) is read from its stream first (the execution API, as a reader), so that
 * topics, authorization and pushes see the full event.
 */
import type { ClaimCheckResolver, EventBridgeEnvelope, EventDetail } from '@lifeboat/events';
import { fromEventBridge, resolveClaimCheck, validateEventDetail } from '@lifeboat/events';
import { envGetter, executionEventResolver, requiredEnv, serviceReader } from '@lifeboat/service-api';
import { serviceClientsForStage } from '../services.js';
import { executionEventBroker } from '../subscriptions/broker.js';
import type { ExecutionEventBroker } from '../subscriptions/broker.js';
import { INVENTORY_EVENTS, executionIdOf } from '../subscriptions/topics.js';
import { webSocketFanoutFromEnv } from '../websocket/config.js';
import type { WebSocketFanout } from '../websocket/fanout.js';

export type SubscriptionsMode = 'local' | 'apigateway';

export const EXECUTION_SOURCE = 'lifeboat.execution';
export const CATALOG_SOURCE = 'lifeboat.catalog';

export interface FanoutResult {
  /** Subscriptions the event was handed to. */
  delivered: number;
}

function modeFromEnv(): SubscriptionsMode {
  const mode = requiredEnv('GATEWAY_SUBSCRIPTIONS');
  if (mode !== 'local' && mode !== 'apigateway') throw new Error(`Environment variable GATEWAY_SUBSCRIPTIONS must be local or apigateway, not ${mode}`);
  return mode;
}

const stage = envGetter('LIFEBOAT_STAGE');

/** Reads claim-checked events through the execution API of the stage (LIFEBOAT_STAGE), made at the first one. */
function executionEventsOfStage(): ClaimCheckResolver {
  let resolve: ClaimCheckResolver | undefined;
  return async (event) => (resolve ??= executionEventResolver(serviceClientsForStage(stage()).execution, serviceReader('gateway')))(event);
}

export interface SubscriptionFanoutOptions {
  mode?: () => SubscriptionsMode;
  broker?: ExecutionEventBroker;
  webSocketFanout?: WebSocketFanout;
  /** Reads the full event of a claim-checked one (default: the stage's execution API). */
  resolveClaimCheck?: ClaimCheckResolver;
}

/** The fan-out handler, for a given mode and broker (the exported `handler` reads the mode from the environment). */
export function createSubscriptionFanout(options: SubscriptionFanoutOptions = {}) {
  const mode = options.mode ?? modeFromEnv;
  const broker = options.broker ?? executionEventBroker;
  const resolveFullEvent = options.resolveClaimCheck ?? executionEventsOfStage();
  return async (event: EventBridgeEnvelope<EventDetail>): Promise<FanoutResult> => {
    const type = event['detail-type'];
    if (event.source === CATALOG_SOURCE ? !INVENTORY_EVENTS.has(type) : event.source !== EXECUTION_SOURCE) {
      throw new Error(`subscriptionFanout handles ${EXECUTION_SOURCE} events and the ${CATALOG_SOURCE} ${[...INVENTORY_EVENTS].join(' / ')}, not ${event.source} ${type}; its rule is mis-wired`);
    }
    validateEventDetail(type, event.detail);
    const domainEvent = await resolveClaimCheck(fromEventBridge(event), resolveFullEvent);
    const { metadata } = domainEvent;
    // Subscriptions to an execution deliver by stream version: an execution event without one is of no use to them.
    if (event.source === EXECUTION_SOURCE && (!executionIdOf(domainEvent) || typeof metadata.streamVersion !== 'number' || typeof metadata.hash !== 'string')) {
      throw new Error(`${type} ${metadata.eventId} has no executionId or no stream position (streamVersion, hash)`);
    }
    switch (mode()) {
      case 'local':
        return { delivered: broker.publish(domainEvent) };
      case 'apigateway':
        return (options.webSocketFanout ?? webSocketFanoutFromEnv()).deliver(domainEvent);
    }
  };
}

export const handler = createSubscriptionFanout();
