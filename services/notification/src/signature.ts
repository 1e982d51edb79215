import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header names of the generic webhook's signature. */
export const TIMESTAMP_HEADER = 'X-Lifeboat-Timestamp';
export const SIGNATURE_HEADER = 'X-Lifeboat-Signature';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` keyed with the channel's secret. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/**
 * What a receiver does: recompute and compare in constant time, and refuse a timestamp older
 * (or newer) than `toleranceSeconds` (a replay).
 */
export function verifySignature(secret: string, timestamp: string, body: string, header: string, now = new Date(), toleranceSeconds = 300): boolean {
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(now.getTime() / 1000 - seconds) > toleranceSeconds) return false;
  const expected = Buffer.from(signature(secret, timestamp, body), 'utf8');
  const given = Buffer.from(header, 'utf8');
  return expected.length === given.length && timingSafeEqual(expected, given);
}
