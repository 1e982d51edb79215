/**
 * Who is calling: the SigV4 credential scope of a request (access key, date, region, service), the
 * account behind an access key, and the temporary credentials that STS AssumeRole issues.
 *
 * - A long-term access key acts as the fleet account that lists it in `accessKeyIds`, otherwise
 *   as the fleet's first account (so any credentials work against a one-account fleet).
 * - AssumeRole issues ASIA... credentials bound to the role's account when the role is in the
 *   fleet (`accounts[].roles`), trusts the caller's account and, when it sets one, gets its
 *   ExternalId. Calls signed with them act as that account until they expire.
 * - Signatures are not verified; the session token of temporary credentials is.
 */
import { randomBytes } from 'node:crypto';
import type { Fleet, FleetAccount, FleetRole } from './fleet.js';
import { hash32 } from './random.js';

export interface SigV4Scope {
  accessKeyId: string;
  /** yyyymmdd */
  date: string;
  region: string;
  service: string;
}

const SCOPE = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;

/** The scope of a credential string `<AKID>/<yyyymmdd>/<region>/<service>/aws4_request`. */
export function parseCredentialScope(credential: string | undefined | null): SigV4Scope | undefined {
  if (!credential) return undefined;
  const m = SCOPE.exec(credential.trim());
  if (!m || !m[1] || !m[2] || !m[3] || !m[4]) return undefined;
  return { accessKeyId: m[1], date: m[2], region: m[3], service: m[4] };
}

/** The scope of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header. */
export function parseSigV4Authorization(header: string | undefined): SigV4Scope | undefined {
  if (!header) return undefined;
  const m = /Credential=([^,\s]+)/.exec(header);
  return parseCredentialScope(m?.[1]);
}

/** The role an assumed-role session acts as. */
export interface AssumedRoleSession {
  roleArn: string;
  roleName: string;
  sessionName: string;
  /** The account and principal that called AssumeRole. */
  sourceAccountId: string;
  sourceArn: string;
  sourceIdentity?: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

/** The principal a call acts as. */
export interface CallerIdentity {
  accountId: string;
  accessKeyId?: string;
  /** `arn:aws:iam::<account>:user/<key>` or `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  arn: string;
  /** GetCallerIdentity's UserId: `AIDA...` or `AROA...:<session>`. */
  userId: string;
  session?: AssumedRoleSession;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export type AuthFailureKind = 'unrecognizedKey' | 'invalidToken' | 'expiredToken';

export type IdentityResolution =
  | { ok: true; identity: CallerIdentity }
  | { ok: false; kind: AuthFailureKind; message: string };

export interface AssumeRoleRequest {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number;
  externalId?: string;
  sourceIdentity?: string;
}

export type AssumeRoleResult =
  | {
    ok: true;
    credentials: TemporaryCredentials;
    assumedRoleUser: { arn: string; assumedRoleId: string };
    sourceIdentity?: string;
  }
  | { ok: false; code: 'AccessDenied' | 'ValidationError'; message: string };

/** Issued credentials as persisted in the state file (secret and token included: the simulator checks the token). */
export interface IssuedCredentials {
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  session: AssumedRoleSession;
}

export interface AccountDirectoryOptions {
  /** Wall-clock time for credential expiry (the SDK compares expirations with its own clock). Default Date.now. */
  now?: () => number;
  /** A role's MaxSessionDuration (IAM's default: 1 hour). */
  maxSessionSeconds?: number;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::([0-9]{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const ROLE_CHAINING_MAX_SECONDS = 3600;
const DEFAULT_DURATION_SECONDS = 3600;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `prefix` + `length` characters of [A-Z2-7] derived from a label (stable ids for users and roles). */
function stableId(prefix: string, label: string, length: number): string {
  let out = prefix;
  let h = hash32(label);
  for (let i = 0; out.length < prefix.length + length; i++) {
    if (i % 6 === 0) h = hash32(`${label}:${i}`);
    out += BASE32[h & 31];
    h >>>= 5;
  }
  return out;
}

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE32[b & 31];
  return out;
}

export class AccountDirectory {
  private readonly now: () => number;
  private readonly maxSessionSeconds: number;
  private issued = new Map<string, IssuedCredentials>();

  /** `fleet` is read on every call, so accounts and roles added to the simulator's fleet count at once. */
  constructor(private readonly fleet: () => Fleet, options: AccountDirectoryOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxSessionSeconds = options.maxSessionSeconds ?? 3600;
  }

  accounts(): readonly FleetAccount[] {
    return this.fleet().accounts;
  }

  account(accountId: string): FleetAccount | undefined {
    return this.fleet().accounts.find((a) => a.accountId === accountId);
  }

  /** The account a long-term access key acts as: the one listing it, otherwise the fleet's first. */
  accountForKey(accessKeyId: string | undefined): FleetAccount {
    const accounts = this.fleet().accounts;
    const listed = accessKeyId ? accounts.find((a) => a.accessKeyIds?.includes(accessKeyId)) : undefined;
    const account = listed ?? accounts[0];
    if (!account) throw new Error('AccountDirectory: the fleet has no account');
    return account;
  }

  /** The identity of a call from its access key (undefined: unsigned) and `X-Amz-Security-Token`. */
  resolve(accessKeyId: string | undefined, sessionToken: string | undefined): IdentityResolution {
    const issued = accessKeyId ? this.issued.get(accessKeyId) : undefined;
    if (issued && accessKeyId) {
      if (sessionToken !== issued.sessionToken) {
        return { ok: false, kind: 'invalidToken', message: 'The security token included in the request is invalid.' };
      }
      if (this.now() >= issued.session.expiresAtMs) {
        return { ok: false, kind: 'expiredToken', message: 'The security token included in the request is expired' };
      }
      const s = issued.session;
      return {
        ok: true,
        identity: {
          accountId: issued.accountId,
          accessKeyId,
          arn: `arn:aws:sts::${issued.accountId}:assumed-role/${s.roleName}/${s.sessionName}`,
          userId: `${this.roleId(s.roleArn)}:${s.sessionName}`,
          session: { ...s },
        },
      };
    }
    const listed = accessKeyId ? this.fleet().accounts.some((a) => a.accessKeyIds?.includes(accessKeyId)) : false;
    if (accessKeyId?.startsWith('ASIA') && !listed) {
      // Temporary credentials the simulator never issued (or issued before a restart without a state file).
      return { ok: false, kind: 'unrecognizedKey', message: 'The security token included in the request is invalid.' };
    }
    const account = this.accountForKey(accessKeyId);
    return {
      ok: true,
      identity: accessKeyId
        ? { accountId: account.accountId, accessKeyId, arn: `arn:aws:iam::${account.accountId}:user/${accessKeyId}`, userId: stableId('AIDA', `user:${account.accountId}:${accessKeyId}`, 17) }
        : { accountId: account.accountId, arn: `arn:aws:iam::${account.accountId}:root`, userId: account.accountId },
    };
  }

  /** The role of a fleet account named by an ARN (the last path segment is the role name). */
  findRole(roleArn: string): { account: FleetAccount; role: FleetRole } | undefined {
    const m = ROLE_ARN.exec(roleArn);
    if (!m || !m[1] || !m[3]) return undefined;
    const account = this.account(m[1]);
    const role = account?.roles?.find((r) => r.roleName === m[3]);
    return account && role ? { account, role } : undefined;
  }

  /**
   * STS AssumeRole. `denied` (a fault) refuses it as the trust policy would. Validation errors come
   * first, then AccessDenied for an unknown role, an untrusted caller or a wrong ExternalId.
   */
  assumeRole(caller: CallerIdentity, request: AssumeRoleRequest, denied = false): AssumeRoleResult {
    const invalid = (message: string): AssumeRoleResult => ({ ok: false, code: 'ValidationError', message });
    const problems: string[] = [];
    if (request.roleArn.length < 20 || request.roleArn.length > 2048) {
      problems.push(`Value '${request.roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048`);
    }
    if (!SESSION_NAME.test(request.roleSessionName)) {
      problems.push(`Value '${request.roleSessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`);
    }
    const duration = request.durationSeconds ?? DEFAULT_DURATION_SECONDS;
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) {
      problems.push(`Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
    }
    if (request.externalId !== undefined && !EXTERNAL_ID.test(request.externalId)) {
      problems.push(`Value '${request.externalId}' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]* and have length between 2 and 1224`);
    }
    if (request.sourceIdentity !== undefined && !SESSION_NAME.test(request.sourceIdentity)) {
      problems.push(`Value '${request.sourceIdentity}' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`);
    }
    if (problems.length > 0) return invalid(`${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
    if (!ROLE_ARN.test(request.roleArn)) return invalid(`${request.roleArn} is invalid`);
    if (caller.session && duration > ROLE_CHAINING_MAX_SECONDS) {
      return invalid('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }

    const refused: AssumeRoleResult = {
      ok: false,
      code: 'AccessDenied',
      message: `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`,
    };
    const found = this.findRole(request.roleArn);
    if (!found || denied) return refused;
    const { account, role } = found;
    if (!role.trustedAccountIds.includes(caller.accountId)) return refused;
    if (role.externalId !== undefined && role.externalId !== request.externalId) return refused;
    if (duration > this.maxSessionSeconds) return invalid('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');

    const nowMs = this.now();
    // Whole seconds, as STS reports them (so the SDK's view of the expiry and ours agree).
    const expiresAtMs = Math.floor(nowMs / 1000) * 1000 + duration * 1000;
    let accessKeyId: string;
    do accessKeyId = `ASIA${randomBase32(16)}`; while (this.issued.has(accessKeyId));
    const credentials: TemporaryCredentials = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(180).toString('base64')}`,
      expiration: new Date(expiresAtMs),
    };
    const session: AssumedRoleSession = {
      roleArn: request.roleArn,
      roleName: role.roleName,
      sessionName: request.roleSessionName,
      sourceAccountId: caller.accountId,
      sourceArn: caller.arn,
      ...(request.sourceIdentity ? { sourceIdentity: request.sourceIdentity } : caller.session?.sourceIdentity ? { sourceIdentity: caller.session.sourceIdentity } : {}),
      issuedAtMs: nowMs,
      expiresAtMs,
    };
    this.issued.set(accessKeyId, { secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken, accountId: account.accountId, session });
    this.changes++;
    return {
      ok: true,
      credentials,
      assumedRoleUser: {
        arn: `arn:aws:sts::${account.accountId}:assumed-role/${role.roleName}/${request.roleSessionName}`,
        assumedRoleId: `${this.roleId(request.roleArn)}:${request.roleSessionName}`,
      },
      ...(session.sourceIdentity ? { sourceIdentity: session.sourceIdentity } : {}),
    };
  }

  /** The sessions issued so far (for the control API), newest last. */
  sessions(): (AssumedRoleSession & { accessKeyId: string; accountId: string; expired: boolean })[] {
    const now = this.now();
    return [...this.issued.entries()].map(([accessKeyId, c]) => ({ ...c.session, accessKeyId, accountId: c.accountId, expired: now >= c.session.expiresAtMs }));
  }

  /** Counts the changes of the issued credentials (for the state file). */
  changes = 0;

  /** The issued credentials by access key id (for the state file). */
  exportSessions(): [string, IssuedCredentials][] {
    return [...this.issued.entries()];
  }

  /** Restores issued credentials (from the state file); they stay valid until they expire. */
  importSessions(sessions: readonly [string, IssuedCredentials][]): void {
    this.issued = new Map(sessions);
    this.changes++;
  }

  /** Forgets every issued credential (calls signed with them are then refused). */
  revokeSessions(): void {
    this.issued = new Map();
    this.changes++;
  }

  private roleId(roleArn: string): string {
    return stableId('AROA', `role:${roleArn}`, 17);
  }
}
