import type { CheckDescription } from './domain/checks.js';

/**
 * The sync contract of lifeboat-verification-<stage>-api (to move into
 * @lifeboat/service-api's contracts.ts beside the other services').
 */
export interface VerificationOperations {
  /** The checks that run after a server launches with the default settings, in order, and their timeouts. */
  describeVerificationChecks: {
    input: Record<string, never>;
    result: {
      /** The defaults (DEFAULT_VERIFICATION); plans set them per protection group and per server. */
      scope: 'default';
      /** The most one server's verification takes (also capped by the Lambda's 15 minutes). */
      timeoutSeconds: number;
      /** The longest delay between two looks at a check still waiting. */
      pollIntervalMs: number;
      checks: CheckDescription[];
    };
  };
}
