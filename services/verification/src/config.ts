import { requiredEnv } from '@lifeboat/service-api';
import type { VerifyOptions } from './verify.js';

function positiveNumber(name: string): number {
  const text = requiredEnv(name);
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Environment variable ${name} must be a positive number, not "${text}"`);
  return value;
}

let options: VerifyOptions | undefined;

/**
 * The default verification budget of a server (per group and server settings come later):
 * VERIFICATION_TIMEOUT_SECONDS (may be fractional, for tests) and VERIFICATION_POLL_MS.
 * Read once, on first use.
 */
export function verifyOptions(): VerifyOptions {
  return (options ??= {
    timeoutMs: Math.round(positiveNumber('VERIFICATION_TIMEOUT_SECONDS') * 1000),
    pollMs: Math.round(positiveNumber('VERIFICATION_POLL_MS')),
  });
}
