export type { TargetAccessResolver } from './catalog.js';
export { catalogApiFunction, catalogTargetAccess } from './catalog.js';
export type {
  AccountAccessErrorCode, AccountClient, AccountClientConfig, AccountCredentialsProvider, AccountScope, AssumedCredentials, TargetAccountsOptions,
} from './target-accounts.js';
export {
  AccountAccessError, DEFAULT_ACCESS_TTL_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_REFRESH_BEFORE_MS, TargetAccounts, sessionNameOf,
} from './target-accounts.js';
