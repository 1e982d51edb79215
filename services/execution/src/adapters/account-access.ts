import { DrsClient } from '@aws-sdk/client-drs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { CatalogServiceOperations, ResolvedTargetAccess } from '@lifeboat/service-api';
import { ServiceApiClient, envGetter, systemCaller } from '@lifeboat/service-api';

/**
 * DRS in every account and region a wave's servers live in. The account Lifeboat runs in is
 * called with the function's own credentials; another account through the role the catalog
 * configured for it (resolveTargetAccess), assumed with its external id (ARCHITECTURE §2: the
 * catalog owns the target accounts).
 *
 * Clients retry throttling with backoff (`maxAttempts: 6`) and take their endpoint from the
 * environment (AWS_ENDPOINT_URL_DRS / AWS_ENDPOINT_URL_STS: the simulator locally). Nothing here
 * logs, and no error message carries, an external id.
 */

/** One account and region of DRS. */
export interface DrsScope {
  accountId: string;
  region: string;
}

/** A DrsClient per account and region: what the process manager calls DRS with. */
export interface DrsClients {
  /** The client for the scope; AccountAccessError when the account cannot be reached. */
  drsClientFor(scope: DrsScope): Promise<DrsClient>;
}

/** The catalog's answer for an account (`resolveTargetAccess`); rejects NOT_FOUND for an account that is not a target. */
export type TargetAccessResolver = (accountId: string) => Promise<ResolvedTargetAccess>;

export type AccountAccessErrorCode =
  /** Not a 12-digit account id or not a region. */
  | 'INVALID_SCOPE'
  /** The catalog knows no such target account. */
  | 'UNKNOWN_ACCOUNT'
  /** The catalog answers no role (or a role of another account) for an account other than Lifeboat's own. */
  | 'NO_ROLE'
  /** STS refused the role (AccessDenied, ...) or answered no credentials. */
  | 'ASSUME_ROLE_FAILED';

/** Why DRS in an account cannot be reached. */
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

export interface AccountDrsClientsOptions {
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
  /** Attempts of each DRS call (throttling, 5xx) with the SDK's backoff (default 6). */
  maxAttempts?: number;
  now?: () => Date;
}

/** RoleSessionName of AssumeRole: shows in the target account's CloudTrail. */
export const SESSION_NAME = 'lifeboat-execution';
export const DEFAULT_ACCESS_TTL_MS = 3 * 60_000;
export const DEFAULT_REFRESH_BEFORE_MS = 10 * 60_000;
export const DRS_MAX_ATTEMPTS = 6;

const ACCOUNT_ID = /^[0-9]{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;
const ROLE_ACCOUNT = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\//;

/** The environment variable naming the catalog's api function (serverless.yml). */
export const catalogApiFunction = envGetter('CATALOG_API_FUNCTION');

/**
 * resolveTargetAccess of the catalog's api function, called as the execution service
 * (`systemCaller('execution')`: the operation is for services only). Default client: the
 * function named by CATALOG_API_FUNCTION, read at the first call.
 */
export function catalogTargetAccess(catalog?: Pick<ServiceApiClient, 'call'>): TargetAccessResolver {
  type Operation = CatalogServiceOperations['resolveTargetAccess'];
  let client = catalog;
  return async (accountId) => {
    client ??= new ServiceApiClient(catalogApiFunction());
    return client.call<Operation['result']>('resolveTargetAccess', { accountId } satisfies Operation['input'], systemCaller('execution'));
  };
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
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
 * DrsClients across accounts: one client per account and region (and role), the catalog's answer
 * kept a few minutes, each role assumed once and its credentials reused until shortly before they
 * expire. Concurrent callers share one catalog call and one AssumeRole; failures are not kept.
 */
export class AccountDrsClients implements DrsClients {
  private readonly sts: STSClient;
  private readonly catalog: TargetAccessResolver;
  private readonly accessTtlMs: number;
  private readonly durationSeconds: number;
  private readonly refreshBeforeMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => Date;
  private home: Promise<string> | undefined;
  private readonly access = new Map<string, Cached<ResolvedTargetAccess>>();
  private readonly credentials = new Map<string, Promise<Credentials>>();
  private readonly clients = new Map<string, DrsClient>();

  constructor(options: AccountDrsClientsOptions = {}) {
    this.sts = options.sts ?? new STSClient({});
    this.catalog = options.catalog ?? catalogTargetAccess();
    this.accessTtlMs = options.accessTtlMs ?? DEFAULT_ACCESS_TTL_MS;
    this.durationSeconds = options.sessionDurationSeconds ?? 3600;
    this.refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
    this.maxAttempts = options.maxAttempts ?? DRS_MAX_ATTEMPTS;
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

  async drsClientFor(scope: DrsScope): Promise<DrsClient> {
    const { accountId, region } = scope;
    if (typeof accountId !== 'string' || !ACCOUNT_ID.test(accountId)) throw new AccountAccessError('INVALID_SCOPE', String(accountId), `${String(accountId)} is not a 12-digit AWS account id`);
    if (typeof region !== 'string' || !REGION.test(region)) throw new AccountAccessError('INVALID_SCOPE', accountId, `${String(region)} is not an AWS region such as us-east-1`);

    if (accountId === (await this.homeAccountId())) return this.client(`${accountId}|${region}`, () => new DrsClient({ region, maxAttempts: this.maxAttempts }));

    const access = await this.resolve(accountId);
    const roleArn = access.roleArn;
    if (!roleArn) {
      throw new AccountAccessError('NO_ROLE', accountId, `the catalog answers no role for account ${accountId}, which is not the account Lifeboat runs in (${await this.homeAccountId()}): an Admin configures its role (updateTargetAccount)`);
    }
    if (ROLE_ACCOUNT.exec(roleArn)?.[1] !== accountId) throw new AccountAccessError('NO_ROLE', accountId, `the catalog answers role ${roleArn} for account ${accountId}: not a role of that account`);
    const externalId = access.externalId;
    // Assumed now, so that a refusal is this call's error; the client renews through the same cache.
    await this.credentialsFor(accountId, roleArn, externalId);
    return this.client(`${accountId}|${region}|${roleArn}|${externalId ?? ''}`, () =>
      new DrsClient({ region, maxAttempts: this.maxAttempts, credentials: () => this.credentialsFor(accountId, roleArn, externalId) }),
    );
  }

  /** Forgets what is cached about an account (its catalog answer, role credentials and clients), e.g. after DRS refused its credentials. */
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

  private client(key: string, create: () => DrsClient): DrsClient {
    let client = this.clients.get(key);
    if (!client) {
      client = create();
      this.clients.set(key, client);
    }
    return client;
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
  private async credentialsFor(accountId: string, roleArn: string, externalId: string | undefined): Promise<Credentials> {
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

  private async assume(accountId: string, roleArn: string, externalId: string | undefined): Promise<Credentials> {
    let answer;
    try {
      answer = await this.sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME, DurationSeconds: this.durationSeconds, ...(externalId ? { ExternalId: externalId } : {}) }),
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

let shared: AccountDrsClients | undefined;

/** The DrsClients of this Lambda container (built on first use: the environment is read then). */
export function accountDrsClients(): AccountDrsClients {
  return (shared ??= new AccountDrsClients());
}

/** The DrsClient for one account and region, through this container's AccountDrsClients. */
export function drsClientFor(scope: DrsScope): Promise<DrsClient> {
  return accountDrsClients().drsClientFor(scope);
}
