import { randomUUID } from 'node:crypto';
import type { DomainEvent, EventBridgeEnvelope, EventDetail } from '../../src/envelope.js';
import { sourceOf, type LifeboatEventType } from '../../src/schemas.js';

/** The EventBridge event a rule delivers for a published Lifeboat domain event. */
export function delivered(event: DomainEvent, id: string = randomUUID()): EventBridgeEnvelope<EventDetail> {
  return {
    version: '0',
    id,
    'detail-type': event.type,
    source: sourceOf(event.type as LifeboatEventType),
    account: '123456789012',
    time: event.metadata.occurredAt.replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: [],
    detail: { metadata: event.metadata, data: event.data },
  };
}

export interface DrsLaunchResult {
  state: string;
  'job-id': string;
  'is-drill'?: 'TRUE' | 'FALSE';
}

/** An `aws.drs` `DRS Source Server Launch Result` event. */
export function drsLaunchResult(detail: DrsLaunchResult, id: string = randomUUID()): EventBridgeEnvelope<DrsLaunchResult> {
  return {
    version: '0',
    id,
    'detail-type': 'DRS Source Server Launch Result',
    source: 'aws.drs',
    account: '123456789012',
    time: '2025-01-01T12:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:drs:us-east-1:123456789012:source-server/s-0123456789abcdef0'],
    detail,
  };
}
