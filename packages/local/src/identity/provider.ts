import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { webcrypto } from 'node:crypto';

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

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(expected, actual);
}

/**
 * The local stand-in for Cognito: users with scrypt-hashed passwords and groups (the roles), and
 * RS256 ID tokens with Cognito's claims, verified by the gateway with the same code as on AWS.
 */
export class LocalIdentityProvider {
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
   * Loads or creates the signing key and users. On the first start the admin user is created with
   * `adminPassword`, or a generated one that is returned (to print once).
   */
  async init(adminPassword?: string): Promise<{ generatedAdminPassword?: string; createdAdmin: boolean }> {
    await this.loadKey();
    if (this.usersFile && fs.existsSync(this.usersFile)) this.users = JSON.parse(fs.readFileSync(this.usersFile, 'utf8')) as LocalUser[];
    if (this.users.some((u) => u.username === 'admin')) return { createdAdmin: false };
    const password = adminPassword ?? randomBytes(12).toString('base64url');
    this.createUser('admin', password, ['Admin']);
    return { createdAdmin: true, ...(adminPassword ? {} : { generatedAdminPassword: password }) };
  }

  createUser(username: string, password: string, groups: string[]): LocalUser {
    if (!/^[a-zA-Z0-9._@-]{1,128}$/.test(username)) throw new Error('username must be 1-128 letters, digits or ._@-');
    if (password.length < 8) throw new Error('password must have at least 8 characters');
    if (this.users.some((u) => u.username === username)) throw new Error(`user ${username} exists`);
    const user: LocalUser = { sub: randomUUID(), username, passwordHash: hashPassword(password), groups, createdAt: new Date().toISOString() };
    this.users.push(user);
    this.save();
    return user;
  }

  listUsers(): Omit<LocalUser, 'passwordHash'>[] {
    return this.users.map(({ passwordHash: _hash, ...user }) => user);
  }

  async login(username: string, password: string): Promise<IssuedTokens | undefined> {
    const user = this.users.find((u) => u.username === username);
    // Hash even for an unknown user, so timing does not tell which usernames exist.
    const ok = verifyPassword(password, user?.passwordHash ?? hashPassword('not-a-user'));
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

  private save(): void {
    if (this.usersFile) fs.writeFileSync(this.usersFile, JSON.stringify(this.users, null, 2), { mode: 0o600 });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
