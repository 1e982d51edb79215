import { DEFAULT_VERIFICATION, ValidationError, createApiHandler, operation } from '@lifeboat/service-api';
import type { VerificationOperations } from '../api.js';
import { serviceSettings } from '../config.js';
import { describeChecks, planChecks } from '../domain/checks.js';

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
    const settings = serviceSettings();
    return {
      scope: 'default',
      timeoutSeconds: settings.budgetMs / 1000,
      pollIntervalMs: settings.pollMs,
      checks: describeChecks(planChecks(DEFAULT_VERIFICATION, settings.checks)),
    };
  }),
});
