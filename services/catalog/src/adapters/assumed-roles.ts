import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { STSClient } from '@aws-sdk/client-sts';

/** Temporary credentials of an assumed role, as the SDK clients take them. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface AssumedRoleOptions {
  /** RoleSessionName of AssumeRole (shows in the spoke account's CloudTrail). */
  sessionName?: string;
  durationSeconds?: number;
  /** Credentials are renewed this long before they expire. */
  refreshBeforeMs?: number;
  now?: () => Date;
}

/**
 * STS AssumeRole into the target accounts, with each role's credentials cached until shortly
 * before they expire (a sync of every account and region, and every DRS event, would otherwise
 * call STS each time). Concurrent callers share one AssumeRole call.
 */
export class AssumedRoleCredentials {
  private readonly cache = new Map<string, Promise<TemporaryCredentials>>();
  private readonly sessionName: string;
  private readonly durationSeconds: number;
  private readonly refreshBeforeMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly sts: STSClient,
    options: AssumedRoleOptions = {},
  ) {
    this.sessionName = options.sessionName ?? 'lifeboat-catalog';
    this.durationSeconds = options.durationSeconds ?? 3600;
    this.refreshBeforeMs = options.refreshBeforeMs ?? 5 * 60_000;
    this.now = options.now ?? (() => new Date());
  }

  /** The role's credentials; throws the STS error (AccessDenied, ...) when the role cannot be assumed. */
  async credentialsFor(roleArn: string, externalId?: string): Promise<TemporaryCredentials> {
    const key = `${roleArn}|${externalId ?? ''}`;
    const cached = this.cache.get(key);
    if (cached) {
      // A failed AssumeRole is not kept: the next call tries again.
      const credentials = await cached.catch(() => undefined);
      if (credentials && credentials.expiration.getTime() - this.refreshBeforeMs > this.now().getTime()) return credentials;
    }
    const assumed = this.assume(roleArn, externalId);
    this.cache.set(key, assumed);
    assumed.catch(() => {
      if (this.cache.get(key) === assumed) this.cache.delete(key);
    });
    return assumed;
  }

  /** Forgets a role's credentials (after its configuration changed). */
  forget(roleArn: string, externalId?: string): void {
    this.cache.delete(`${roleArn}|${externalId ?? ''}`);
  }

  private async assume(roleArn: string, externalId: string | undefined): Promise<TemporaryCredentials> {
    const { Credentials } = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: this.sessionName,
        DurationSeconds: this.durationSeconds,
        ...(externalId ? { ExternalId: externalId } : {}),
      }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken || !Credentials.Expiration) {
      throw new Error(`AssumeRole of ${roleArn} answered no credentials`);
    }
    return {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
      expiration: new Date(Credentials.Expiration),
    };
  }
}

/** The AWS error code and message of a failed SDK call (AccessDenied, UninitializedAccountException, ...). */
export function awsErrorOf(error: unknown): { code: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { Code?: unknown }).Code;
    return { code: typeof code === 'string' && code !== '' ? code : error.name, message: error.message };
  }
  return { code: 'Error', message: String(error) };
}
