import { ValidationError, createApiHandler, operation } from '@lifeboat/service-api';
import type { VerificationOperations } from '../api.js';
import { verifyOptions } from '../config.js';
import { describeChecks } from '../domain/checks.js';

type Describe = VerificationOperations['describeVerificationChecks'];

function assertNoInput(input: unknown): void {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ValidationError('input must be an object', 'input');
  const unknown = Object.keys(input);
  if (unknown.length > 0) throw new ValidationError(unknown.map((field) => ({ field, message: 'is not an input of describeVerificationChecks' })));
}

/** The API of the verification service (Lambda Invoke from the gateway and other services). */
export const handler = createApiHandler({
  describeVerificationChecks: operation<Describe['input'], Describe['result']>('read', async (input) => {
    assertNoInput(input);
    const options = verifyOptions();
    return { scope: 'default', timeoutSeconds: options.timeoutMs / 1000, pollIntervalMs: options.pollMs, checks: describeChecks(options) };
  }),
});
