import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { webcrypto } from 'node:crypto';
import { decideCreateUser, decideDeletion, decidePasswordChange, decidePasswordReset, decideRoleChange } from '@lifeboat/gateway';
import type { DirectoryCaller, NewUser, UserAccount, UserDirectory } from '@lifeboat/gateway';
import { NotFoundError, isRole } from '@lifeboat/service-api';

type CryptoKey = webcrypto.CryptoKey;

export interface LocalUser {
  sub: string;
  username: string;
  /** `scrypt$<salt>$<hash>`, never the password. */
  passwordHash: string;
  groups: string[];
  createdAt: string;
}

export interface IssuedTokens {
  idToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  username: string;
  roles: string[];
}

const SCRYPT_KEY_LENGTH = 64;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, SCRYPT_KEY_LENGTH).toString('base64')}`;
}

/** Constant time: scrypt always runs, and the hashes are compared with timingSafeEqual. */
export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  // A damaged entry (an empty or tiny hash) never matches.
  if (expected.length < 16) return false;
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(expected, actual);
}

let absentUserHash: string | undefined;
/** Checked against when there is no such user, so the answer takes as long as for a real one. */
const hashOfNoUser = (): string => (absentUserHash ??= hashPassword('not-a-user'));

const ADMIN_USERNAME = 'admin';

function toAccount(user: LocalUser): UserAccount {
  // A hand-edited users.json may carry other groups: only roles are answered.
  return { username: user.username, roles: user.groups.filter(isRole), createdAt: user.createdAt };
}

/**
 * The local stand-in for Cognito: users with scrypt-hashed passwords and groups (the roles), and
 * RS256 ID tokens with Cognito's claims, verified by the gateway with the same code as on AWS.
 *
 * It is also the gateway's user directory (GraphQL `users`, `createUser`, ...), under the rules of
 * the gateway's users/domain/rules.ts. Users live in `<dataDir>/identity/users.json` (0600). Each
 * change is decided and written without awaiting anything in between, so two requests never
 * interleave (no check-then-act gap). Roles reach a user's tokens at their next sign-in.
 */
export class LocalIdentityProvider implements UserDirectory {
  private users: LocalUser[] = [];
  private privateKey: CryptoKey | undefined;
  private publicJwk: JWK | undefined;
  private readonly usersFile: string | undefined;
  private readonly keyFile: string | undefined;

  constructor(private readonly options: { dataDir?: string; issuer: string; clientId: string; tokenLifetimeSeconds?: number }) {
    if (options.dataDir) {
      const dir = path.join(options.dataDir, 'identity');
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.usersFile = path.join(dir, 'users.json');
      this.keyFile = path.join(dir, 'signing-key.json');
    }
  }

  get issuer(): string {
    return this.options.issuer;
  }

  get clientId(): string {
    return this.options.clientId;
  }

  /**
   * Loads or creates the signing key and users. When no user holds Admin and none is named admin
   * (the first start), the `admin` user is created with `adminPassword`, or a generated one that is
   * returned (to print once). `adminPassword` is not held to the directory's 12-character minimum,
   * which applies to passwords set through the directory.
   */
  async init(adminPassword?: string): Promise<{ generatedAdminPassword?: string; createdAdmin: boolean }> {
    await this.loadKey();
    if (this.usersFile && fs.existsSync(this.usersFile)) this.users = JSON.parse(fs.readFileSync(this.usersFile, 'utf8')) as LocalUser[];
    // Not "no user named admin": an Admin may have deleted it, and it must not come back at the next start.
    if (this.users.some((u) => u.groups.includes('Admin') || u.username === ADMIN_USERNAME)) return { createdAdmin: false };
    const password = adminPassword ?? randomBytes(12).toString('base64url');
    this.commit([...this.users, newUser(ADMIN_USERNAME, password, ['Admin'])]);
    return { createdAdmin: true, ...(adminPassword ? {} : { generatedAdminPassword: password }) };
  }

  async listUsers(): Promise<UserAccount[]> {
    return this.users.map(toAccount).sort((a, b) => a.username.localeCompare(b.username));
  }

  async createUser(input: NewUser): Promise<UserAccount> {
    const existing = this.find(input.username);
    const roles = decideCreateUser(input, existing && { roles: existing.groups });
    const user = newUser(input.username, input.password, roles);
    this.commit([...this.users, user]);
    return toAccount(user);
  }

  async setUserRoles(username: string, roles: readonly string[]): Promise<UserAccount> {
    const user = this.find(username);
    const granted = decideRoleChange(username, roles, user && { roles: user.groups }, this.adminCount());
    return this.update(username, (u) => ({ ...u, groups: granted }));
  }

  async setUserPassword(username: string, password: string): Promise<UserAccount> {
    decidePasswordReset(username, password, this.find(username) && { roles: [] });
    return this.update(username, (u) => ({ ...u, passwordHash: hashPassword(password) }));
  }

  async deleteUser(username: string, caller: DirectoryCaller): Promise<{ username: string }> {
    const user = this.find(username);
    decideDeletion(username, user && { roles: user.groups, isCaller: user.username === caller.username || user.sub === caller.userId }, this.adminCount());
    this.commit(this.users.filter((u) => u.username !== username));
    return { username };
  }

  async changePassword(username: string, currentPassword: string, newPassword: string): Promise<UserAccount> {
    const user = this.find(username);
    const currentPasswordMatches = verifyPassword(currentPassword, user?.passwordHash ?? hashOfNoUser());
    // The caller's token outlived their user (deleted since they signed in).
    if (!user) throw new NotFoundError(`There is no user ${username} any more`);
    decidePasswordChange({ currentPassword, newPassword, currentPasswordMatches });
    return this.update(username, (u) => ({ ...u, passwordHash: hashPassword(newPassword) }));
  }

  async login(username: string, password: string): Promise<IssuedTokens | undefined> {
    const user = this.users.find((u) => u.username === username);
    // Hash even for an unknown user, so timing does not tell which usernames exist.
    const ok = verifyPassword(password, user?.passwordHash ?? hashOfNoUser());
    if (!user || !ok) return undefined;
    return this.issue(user);
  }

  async issue(user: Pick<LocalUser, 'sub' | 'username' | 'groups'>): Promise<IssuedTokens> {
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    if (!this.privateKey || !this.publicJwk) throw new Error('identity provider not initialised');
    const idToken = await new SignJWT({ 'cognito:username': user.username, 'cognito:groups': user.groups, token_use: 'id', auth_time: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'RS256', kid: this.publicJwk.kid ?? 'local', typ: 'JWT' })
      .setSubject(user.sub)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.clientId)
      .setIssuedAt()
      .setExpirationTime(`${lifetime}s`)
      .sign(this.privateKey);
    return { idToken, tokenType: 'Bearer', expiresIn: lifetime, username: user.username, roles: user.groups };
  }

  jwks(): { keys: JWK[] } {
    if (!this.publicJwk) throw new Error('identity provider not initialised');
    return { keys: [this.publicJwk] };
  }

  /** HTTP routes: POST /auth/login and GET /local-idp/.well-known/jwks.json. */
  async route(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://local');
    if (req.method === 'GET' && url.pathname === '/local-idp/.well-known/jwks.json') {
      json(res, 200, this.jwks());
      return true;
    }
    if (url.pathname !== '/auth/login') return false;
    if (req.method !== 'POST') {
      json(res, 405, { error: 'Use POST with {"username","password"}' });
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 16 * 1024) {
        json(res, 413, { error: 'Request too large' });
        return true;
      }
      chunks.push(chunk as Buffer);
    }
    let body: { username?: unknown; password?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      json(res, 400, { error: 'Body must be JSON: {"username","password"}' });
      return true;
    }
    if (typeof body.username !== 'string' || typeof body.password !== 'string') {
      json(res, 400, { error: 'username and password are required' });
      return true;
    }
    const tokens = await this.login(body.username, body.password);
    if (!tokens) json(res, 401, { error: 'Invalid username or password' });
    else json(res, 200, tokens);
    return true;
  }

  private async loadKey(): Promise<void> {
    if (this.keyFile && fs.existsSync(this.keyFile)) {
      const stored = JSON.parse(fs.readFileSync(this.keyFile, 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
      this.privateKey = (await importJWK(stored.privateJwk, 'RS256')) as CryptoKey;
      this.publicJwk = stored.publicJwk;
      return;
    }
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
    const kid = randomUUID();
    this.privateKey = privateKey;
    this.publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    if (this.keyFile) {
      fs.writeFileSync(this.keyFile, JSON.stringify({ privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' }, publicJwk: this.publicJwk }), { mode: 0o600 });
    }
  }

  private find(username: string): LocalUser | undefined {
    return this.users.find((u) => u.username === username);
  }

  private adminCount(): number {
    return this.users.filter((u) => u.groups.includes('Admin')).length;
  }

  /** Changes one user (the rules have found it) and answers it. */
  private update(username: string, change: (user: LocalUser) => LocalUser): UserAccount {
    let changed: LocalUser | undefined;
    const next = this.users.map((u) => (u.username === username ? (changed = change(u)) : u));
    if (!changed) throw new NotFoundError(`There is no user ${username}`, 'username');
    this.commit(next);
    return toAccount(changed);
  }

  /** Writes the users, then holds them: a failed write changes nothing. */
  private commit(users: LocalUser[]): void {
    if (this.usersFile) {
      // A whole new file renamed over the old one: a crash never leaves half a users.json, and the file is 0600 even if an older one was not.
      const temporary = `${this.usersFile}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, JSON.stringify(users, null, 2), { mode: 0o600 });
      fs.chmodSync(temporary, 0o600);
      fs.renameSync(temporary, this.usersFile);
    }
    this.users = users;
  }
}

function newUser(username: string, password: string, groups: string[]): LocalUser {
  return { sub: randomUUID(), username, passwordHash: hashPassword(password), groups, createdAt: new Date().toISOString() };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
