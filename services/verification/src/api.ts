import type { CheckDescription } from './domain/checks.js';

/**
 * The sync contract of lifeboat-verification-<stage>-api (to move into
 * @lifeboat/service-api's contracts.ts beside the other services').
 */
export interface VerificationOperations {
  /** The checks that run after a server launches, in order, and their budget. */
  describeVerificationChecks: {
    input: Record<string, never>;
    result: {
      /** Where the settings come from: the service defaults until per group/server settings exist. */
      scope: 'default';
      /** Budget of the whole verification of one server. */
      timeoutSeconds: number;
      /** Delay between two looks at a server whose check is still waiting. */
      pollIntervalMs: number;
      checks: CheckDescription[];
    };
  };
}
