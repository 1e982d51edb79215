import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ResolvedTargetAccess } from '@lifeboat/service-api';
import type { TargetAccessResolver } from './catalog.js';
import { catalogTargetAccess } from './catalog.js';

/**
 * AWS SDK clients in every account and region Lifeboat works in. The account Lifeboat runs in
 * (the home account) is called with the function's own credentials (the SDK's default provider
 * chain); another account (a spoke) through the role the catalog configured for it
 * (resolveTargetAccess), assumed with its external id (ARCHITECTURE §2: the catalog owns the
 * target accounts).
 *
 * Endpoints come from the environment (AWS_ENDPOINT_URL_<SERVICE>: the simulator locally).
 * Nothing here logs, and no error message carries, an external id.
 */

/** One account and region. */
export interface AccountScope {
  accountId: string;
  region: string;
}

export type AccountAccessErrorCode =
  /** Not a 12-digit account id or not a region. */
  | 'INVALID_SCOPE'
  /** The catalog knows no such target account. */
  | 'UNKNOWN_ACCOUNT'
  /** The catalog answers no role (or a role of another account) for an account other than Lifeboat's own. */
  | 'NO_ROLE'
  /** STS refused the role (AccessDenied, ...) or answered no credentials. */
  | 'ASSUME_ROLE_FAILED';

/** Why an account cannot be reached. */
export class AccountAccessError extends Error {
  override readonly name = 'AccountAccessError';
  constructor(
    readonly code: AccountAccessErrorCode,
    readonly accountId: string,
    message: string,
    /** Whether trying again later may help (STS throttled or failed); a refusal is not. */
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** Temporary credentials of an assumed role. */
export interface AssumedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** A provider of a spoke account's credentials (renewed through the cache before they expire). */
export type AccountCredentialsProvider = () => Promise<AssumedCredentials>;

/**
 * What an SDK v3 client of a scope is built with: `new DrsClient(config)`, `new EC2Client(config)`...
 * Without `credentials` (the home account), the SDK's default provider chain.
 */
export interface AccountClientConfig {
  region: string;
  maxAttempts: number;
  credentials?: AccountCredentialsProvider;
}

/** What `clientFor` builds: any SDK v3 client (destroyed when its account is forgotten). */
export interface AccountClient {
  destroy(): void;
}

export interface TargetAccountsOptions {
  /**
   * The Lifeboat service using the accounts ('execution', 'verification'): the catalog is called
   * as `systemCaller(<service>)` and roles are assumed with RoleSessionName `lifeboat-<service>`.
   */
  service: string;
  /** The catalog's resolveTargetAccess (default: through CATALOG_API_FUNCTION, see catalogTargetAccess). */
  catalog?: TargetAccessResolver;
  /** STS for GetCallerIdentity and AssumeRole (default: the function's region and credentials). */
  sts?: STSClient;
  /** The account the function runs in; default: STS GetCallerIdentity, asked once. */
  homeAccountId?: string;
  /** How long the catalog's answer for an account is kept (default 3 minutes). */
  accessTtlMs?: number;
  /** DurationSeconds of AssumeRole (default 3600). */
  sessionDurationSeconds?: number;
  /** Assumed credentials are renewed this long before they expire (default 10 minutes, more than the SDK's own 5). */
  refreshBeforeMs?: number;
  /** Attempts of each call of the clients (throttling, 5xx) with the SDK's backoff (default 3, the SDK's). */
  maxAttempts?: number;
  now?: () => Date;
}

export const DEFAULT_ACCESS_TTL_MS = 3 * 60_000;
export const DEFAULT_REFRESH_BEFORE_MS = 10 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 3;

const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;
const ROLE_ACCOUNT = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\//;
const SERVICE = /^[a-z][a-z0-9-]*$/;

/** RoleSessionName of AssumeRole for a service: shows in the target account's CloudTrail. */
export function sessionNameOf(service: string): string {
  return `lifeboat-${service}`;
}

/** How an account is reached: with the function's own credentials, or a role's. */
interface Access {
  /** Part of the client cache key: a role changed in the catalog gives new clients. */
  key: string;
  credentials?: AccountCredentialsProvider;
}

interface Cached<T> {
  value: Promise<T>;
  /** Epoch ms after which it is asked again. */
  until: number;
}

function errorCodeOf(error: unknown): string {
  if (!(error instanceof Error)) return 'Error';
  const code = (error as { Code?: unknown }).Code;
  return typeof code === 'string' && code !== '' ? code : error.name;
}

/** Throttling and server faults of an SDK call: worth another try later. */
function isTransient(error: unknown): boolean {
  const e = error as { $retryable?: unknown; $fault?: unknown; name?: unknown } | null;
  return Boolean(e && (e.$retryable || e.$fault === 'server' || (typeof e.name === 'string' && /Throttl|RequestLimitExceeded|TooManyRequests/.test(e.name))));
}

/**
 * The target accounts of one service: one client per account, region, role and client kind; the
 * catalog's answer kept a few minutes; each role assumed once (for all its regions and clients)
 * and its credentials reused until shortly before they expire. Concurrent callers share one
 * catalog call and one AssumeRole; failures are not kept.
 */
export class TargetAccounts {
  private readonly sts: STSClient;
  private readonly catalog: TargetAccessResolver;
  private readonly sessionName: string;
  private readonly accessTtlMs: number;
  private readonly durationSeconds: number;
  private readonly refreshBeforeMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => Date;
  private home: Promise<string> | undefined;
  private readonly access = new Map<string, Cached<ResolvedTargetAccess>>();
  private readonly credentials = new Map<string, Promise<AssumedCredentials>>();
  private readonly clients = new Map<string, AccountClient>();
  private readonly kinds = new WeakMap<object, string>();
  private factories = 0;

  constructor(options: TargetAccountsOptions) {
    if (typeof options.service !== 'string' || !SERVICE.test(options.service)) throw new Error(`TargetAccounts: service must be a Lifeboat service name such as execution, not ${String(options.service)}`);
    this.sts = options.sts ?? new STSClient({});
    this.catalog = options.catalog ?? catalogTargetAccess(options.service);
    this.sessionName = sessionNameOf(options.service);
    this.accessTtlMs = options.accessTtlMs ?? DEFAULT_ACCESS_TTL_MS;
    this.durationSeconds = options.sessionDurationSeconds ?? 3600;
    this.refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.now = options.now ?? (() => new Date());
    if (options.homeAccountId !== undefined) this.home = Promise.resolve(options.homeAccountId);
  }

  /** The account the function runs in (STS GetCallerIdentity, once). */
  homeAccountId(): Promise<string> {
    if (this.home) return this.home;
    const asked = this.sts.send(new GetCallerIdentityCommand({})).then(({ Account }) => {
      if (!Account || !ACCOUNT_ID.test(Account)) throw new Error(`STS GetCallerIdentity answered no account id (${String(Account)})`);
      return Account;
    });
    this.home = asked;
    asked.catch(() => {
      if (this.home === asked) this.home = undefined;
    });
    return asked;
  }

  /**
   * The credentials of an account: undefined for the home account (the SDK's default provider
   * chain), else a provider of the role's (assumed now, so that a refusal is this call's error).
   */
  async credentialsFor(accountId: string): Promise<AccountCredentialsProvider | undefined> {
    checkAccountId(accountId);
    return (await this.accessOf(accountId)).credentials;
  }

  /** What a client of the scope is built with (region, maxAttempts, the account's credentials). */
  async configFor(scope: AccountScope): Promise<AccountClientConfig> {
    checkScope(scope);
    return this.configOf(scope.region, await this.accessOf(scope.accountId));
  }

  /**
   * The client of a kind for the scope, built once with `create` (e.g. `(config) => new DrsClient(config)`)
   * and kept per account, region, role and kind. The kind is `kind` when given, else `create`
   * itself: pass the same function each time (a module-level constant), not a new arrow per call.
   * AccountAccessError when the account cannot be reached.
   */
  async clientFor<C extends AccountClient>(scope: AccountScope, create: (config: AccountClientConfig) => C, kind?: string): Promise<C> {
    checkScope(scope);
    const access = await this.accessOf(scope.accountId);
    const key = `${scope.accountId}|${scope.region}|${access.key}|${kind ?? this.kindOf(create)}`;
    let client = this.clients.get(key);
    if (!client) {
      client = create(this.configOf(scope.region, access));
      this.clients.set(key, client);
    }
    return client as C;
  }

  /** Forgets what is cached about an account (its catalog answer, role credentials and clients), e.g. after a service refused its credentials. */
  forget(accountId: string): void {
    this.access.delete(accountId);
    for (const key of [...this.credentials.keys()]) if (key.startsWith(`${accountId}|`)) this.credentials.delete(key);
    for (const [key, client] of [...this.clients]) {
      if (key.startsWith(`${accountId}|`)) {
        this.clients.delete(key);
        client.destroy();
      }
    }
  }

  private configOf(region: string, access: Access): AccountClientConfig {
    return { region, maxAttempts: this.maxAttempts, ...(access.credentials ? { credentials: access.credentials } : {}) };
  }

  private kindOf(create: object): string {
    let kind = this.kinds.get(create);
    if (!kind) {
      kind = `#${++this.factories}`;
      this.kinds.set(create, kind);
    }
    return kind;
  }

  private async accessOf(accountId: string): Promise<Access> {
    if (accountId === (await this.homeAccountId())) return { key: 'home' };

    const access = await this.resolve(accountId);
    const roleArn = access.roleArn;
    if (!roleArn) {
      throw new AccountAccessError('NO_ROLE', accountId, `the catalog answers no role for account ${accountId}, which is not the account Lifeboat runs in (${await this.homeAccountId()}): an Admin configures its role (updateTargetAccount)`);
    }
    if (ROLE_ACCOUNT.exec(roleArn)?.[1] !== accountId) throw new AccountAccessError('NO_ROLE', accountId, `the catalog answers role ${roleArn} for account ${accountId}: not a role of that account`);
    const externalId = access.externalId;
    // Assumed now, so that a refusal is this call's error; the clients renew through the same cache.
    await this.assumed(accountId, roleArn, externalId);
    return { key: `${roleArn}|${externalId ?? ''}`, credentials: () => this.assumed(accountId, roleArn, externalId) };
  }

  /** The catalog's answer for a spoke account, kept accessTtlMs. */
  private async resolve(accountId: string): Promise<ResolvedTargetAccess> {
    const cached = this.access.get(accountId);
    if (cached && cached.until > this.now().getTime()) return cached.value;
    const asked = this.catalog(accountId).catch((error: unknown) => {
      if ((error as { code?: unknown } | null)?.code === 'NOT_FOUND') {
        throw new AccountAccessError('UNKNOWN_ACCOUNT', accountId, `account ${accountId} is not a target account of the catalog: an Admin adds it (addTargetAccount) with the role Lifeboat assumes there`);
      }
      throw error;
    });
    const entry = { value: asked, until: this.now().getTime() + this.accessTtlMs };
    this.access.set(accountId, entry);
    asked.catch(() => {
      if (this.access.get(accountId) === entry) this.access.delete(accountId);
    });
    return asked;
  }

  /** The role's credentials, assumed once and reused until refreshBeforeMs before they expire. */
  private async assumed(accountId: string, roleArn: string, externalId: string | undefined): Promise<AssumedCredentials> {
    const key = `${accountId}|${roleArn}|${externalId ?? ''}`;
    const cached = this.credentials.get(key);
    if (cached) {
      const credentials = await cached.catch(() => undefined);
      if (credentials && credentials.expiration.getTime() - this.refreshBeforeMs > this.now().getTime()) return credentials;
      // Another caller may have renewed them meanwhile.
      const current = this.credentials.get(key);
      if (current && current !== cached) return current;
    }
    const assumed = this.assume(accountId, roleArn, externalId);
    this.credentials.set(key, assumed);
    assumed.catch(() => {
      if (this.credentials.get(key) === assumed) this.credentials.delete(key);
    });
    return assumed;
  }

  private async assume(accountId: string, roleArn: string, externalId: string | undefined): Promise<AssumedCredentials> {
    let answer;
    try {
      answer = await this.sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: this.sessionName, DurationSeconds: this.durationSeconds, ...(externalId ? { ExternalId: externalId } : {}) }),
      );
    } catch (error) {
      // The STS error itself is not kept (as a cause): its message might quote the external id.
      const raw = error instanceof Error ? error.message : String(error);
      const message = externalId ? raw.split(externalId).join('***') : raw;
      throw new AccountAccessError('ASSUME_ROLE_FAILED', accountId, `cannot assume ${roleArn} for account ${accountId}: ${errorCodeOf(error)}: ${message}`, isTransient(error));
    }
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new AccountAccessError('ASSUME_ROLE_FAILED', accountId, `AssumeRole of ${roleArn} answered no credentials`);
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) };
  }
}

function checkAccountId(accountId: string): void {
  if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) throw new AccountAccessError('INVALID_SCOPE', String(accountId), `${String(accountId)} is not a 12-digit AWS account id`);
}

function checkScope({ accountId, region }: AccountScope): void {
  checkAccountId(accountId);
  if (typeof region !== 'string' || !REGION.test(region)) throw new AccountAccessError('INVALID_SCOPE', accountId, `${String(region)} is not an AWS region such as us-east-1`);
}
