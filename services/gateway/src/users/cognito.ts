/**
 * The user directory on AWS: the platform's Cognito user pool, whose groups are the roles.
 *
 * The platform pool signs users in by e-mail (`UsernameAttributes: [email]`): Cognito then names
 * each user by a generated UUID (its `sub`), and the name a person knows and types is the e-mail.
 * This adapter answers that name, and the Admin* APIs accept it as an alias. A pool that signs in
 * by username answers the username.
 *
 * Cognito has no transactions: the last-Admin check reads the Admin group, then changes, so two
 * Admins demoting each other at the same instant could both pass. The local directory does not
 * have this gap.
 */
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  ListUsersInGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { AttributeType } from '@aws-sdk/client-cognito-identity-provider';
import type { Role } from '@lifeboat/service-api';
import { NotFoundError, ROLES, ValidationError, isRole } from '@lifeboat/service-api';
import { userPoolIdOf } from '../auth.js';
import type { DirectoryCaller, NewUser, UserAccount, UserDirectory } from './directory.js';
import { USERNAME_PATTERN, checkNewUser, decideDeletion, decidePasswordReset, decideRoleChange, usernameTaken } from './domain/rules.js';

/** A Cognito user as ListUsers, ListUsersInGroup and AdminGetUser answer it (the last names its attributes differently). */
interface PoolUser {
  Username?: string | undefined;
  Attributes?: AttributeType[] | undefined;
  UserCreateDate?: Date | undefined;
  Enabled?: boolean | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const attribute = (user: PoolUser, name: string): string | undefined => user.Attributes?.find((a) => a.Name === name)?.Value;

/** What the user signs in with: the e-mail when Cognito generated the username (e-mail pools), else the username. */
function signInNameOf(user: PoolUser): string {
  const username = user.Username ?? '';
  const generated = username === attribute(user, 'sub') || UUID.test(username);
  return (generated ? attribute(user, 'email') : undefined) ?? username;
}

const rolesOf = (groups: readonly string[]): Role[] => ROLES.filter((role) => groups.includes(role));

const isoOf = (date: Date | undefined): string => (date ?? new Date(0)).toISOString();

const named = (error: unknown, name: string): boolean => error instanceof Error && error.name === name;

/** What changePassword answers on AWS (see CognitoUserDirectory.changePassword). */
const CHANGE_PASSWORD_ON_AWS =
  'On AWS the gateway cannot check your current password (Cognito needs your own access token for that): change it on the sign-in page ("Forgot your password?"), or ask an Admin to set a new one (setUserPassword)';

export class CognitoUserDirectory implements UserDirectory {
  private readonly client: CognitoIdentityProviderClient;

  /** `client` defaults to one in the pool's region (`<region>_<id>`). */
  constructor(
    private readonly userPoolId: string,
    client?: CognitoIdentityProviderClient,
  ) {
    this.client = client ?? new CognitoIdentityProviderClient({ region: userPoolId.split('_')[0] ?? '' });
  }

  /**
   * The directory of the pool that issues the gateway's tokens.
   *
   * @example
   * const users = CognitoUserDirectory.forIssuer('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123');
   */
  static forIssuer(issuer: string, client?: CognitoIdentityProviderClient): CognitoUserDirectory {
    return new CognitoUserDirectory(userPoolIdOf(issuer), client);
  }

  async listUsers(): Promise<UserAccount[]> {
    // Five group listings rather than one AdminListGroupsForUser per user: a few calls whatever the number of users.
    const [users, members] = await Promise.all([this.allUsers(), Promise.all(ROLES.map(async (role) => ({ role, usernames: new Set((await this.membersOf(role)).map((u) => u.Username)) })))]);
    return users
      .map((user) => ({ username: signInNameOf(user), roles: members.filter((m) => m.usernames.has(user.Username)).map((m) => m.role), createdAt: isoOf(user.UserCreateDate) }))
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  async createUser(input: NewUser): Promise<UserAccount> {
    const roles = checkNewUser(input);
    let created: PoolUser | undefined;
    try {
      // The password as the temporary one: Cognito checks its policy before anything exists.
      const answer = await this.client.send(
        new AdminCreateUserCommand({ UserPoolId: this.userPoolId, Username: input.username, TemporaryPassword: input.password, MessageAction: 'SUPPRESS', UserAttributes: emailAttributesOf(input.username) }),
      );
      created = answer.User;
    } catch (error) {
      if (named(error, 'UsernameExistsException')) throw usernameTaken(input.username);
      if (named(error, 'InvalidPasswordException')) throw passwordRefused(error, 'password');
      if (named(error, 'InvalidParameterException')) throw new ValidationError([{ field: 'username', message: `refused by the user pool: ${(error as Error).message}` }]);
      throw error;
    }
    try {
      await this.client.send(new AdminSetUserPasswordCommand({ UserPoolId: this.userPoolId, Username: input.username, Password: input.password, Permanent: true }));
      for (const role of roles) await this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: input.username, GroupName: role }));
    } catch (error) {
      // A half-made user (no permanent password, some roles) must not stay behind.
      await this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: input.username })).catch(() => undefined);
      if (named(error, 'InvalidPasswordException')) throw passwordRefused(error, 'password');
      throw error;
    }
    return { username: created ? signInNameOf(created) : input.username, roles, createdAt: isoOf(created?.UserCreateDate) };
  }

  async setUserRoles(username: string, roles: readonly string[]): Promise<UserAccount> {
    const user = await this.find(username);
    const current = user ? await this.groupsOf(username) : [];
    const next = decideRoleChange(username, roles, user && { roles: current }, await this.countAdmins());
    // Removals first: a failure half-way leaves fewer roles, never more.
    for (const role of rolesOf(current).filter((r) => !next.includes(r))) {
      await this.client.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: this.userPoolId, Username: username, GroupName: role }));
    }
    for (const role of next.filter((r) => !current.includes(r))) {
      await this.client.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: username, GroupName: role }));
    }
    return { username: user ? signInNameOf(user) : username, roles: rolesOf(next), createdAt: isoOf(user?.UserCreateDate) };
  }

  async setUserPassword(username: string, password: string): Promise<UserAccount> {
    const user = await this.find(username);
    decidePasswordReset(username, password, user && { roles: [] });
    try {
      await this.client.send(new AdminSetUserPasswordCommand({ UserPoolId: this.userPoolId, Username: username, Password: password, Permanent: true }));
    } catch (error) {
      if (named(error, 'InvalidPasswordException')) throw passwordRefused(error, 'password');
      if (named(error, 'UserNotFoundException')) throw new NotFoundError(`There is no user ${username}`, 'username', { cause: error });
      throw error;
    }
    return { username: user ? signInNameOf(user) : username, roles: rolesOf(await this.groupsOf(username)), createdAt: isoOf(user?.UserCreateDate) };
  }

  async deleteUser(username: string, caller: DirectoryCaller): Promise<{ username: string }> {
    const user = await this.find(username);
    const roles = user ? await this.groupsOf(username) : [];
    const isCaller = user !== undefined && (attribute(user, 'sub') === caller.userId || user.Username === caller.username);
    decideDeletion(username, user && { roles, isCaller }, await this.countAdmins());
    await this.client.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: username }));
    return { username: user ? signInNameOf(user) : username };
  }

  /**
   * Cognito's ChangePassword takes the user's access token (scope aws.cognito.signin.user.admin),
   * which never reaches the gateway (it verifies ID tokens), and checking the password with
   * AdminInitiateAuth would need a password flow enabled on the web client and would skip MFA.
   * So: a clear BAD_USER_INPUT on `currentPassword`, and no change.
   */
  async changePassword(_username: string, _currentPassword: string, _newPassword: string): Promise<UserAccount> {
    throw new ValidationError([{ field: 'currentPassword', message: CHANGE_PASSWORD_ON_AWS }]);
  }

  /** The user, or undefined when there is none (a name no user could have is not asked for). */
  private async find(username: string): Promise<PoolUser | undefined> {
    if (!USERNAME_PATTERN.test(username)) return undefined;
    try {
      const answer = await this.client.send(new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }));
      return { Username: answer.Username, Attributes: answer.UserAttributes, UserCreateDate: answer.UserCreateDate, Enabled: answer.Enabled };
    } catch (error) {
      if (named(error, 'UserNotFoundException')) return undefined;
      throw error;
    }
  }

  /** The user's groups that are roles (other groups of the pool are left alone). */
  private async groupsOf(username: string): Promise<Role[]> {
    const groups: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new AdminListGroupsForUserCommand({ UserPoolId: this.userPoolId, Username: username, Limit: 60, ...(nextToken ? { NextToken: nextToken } : {}) }));
      for (const group of page.Groups ?? []) if (group.GroupName) groups.push(group.GroupName);
      nextToken = page.NextToken;
    } while (nextToken);
    return groups.filter(isRole);
  }

  /** Admins who can sign in (a disabled user cannot). */
  private async countAdmins(): Promise<number> {
    return (await this.membersOf('Admin')).filter((user) => user.Enabled !== false).length;
  }

  private async membersOf(role: Role): Promise<PoolUser[]> {
    const members: PoolUser[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListUsersInGroupCommand({ UserPoolId: this.userPoolId, GroupName: role, Limit: 60, ...(nextToken ? { NextToken: nextToken } : {}) }));
      members.push(...(page.Users ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return members;
  }

  private async allUsers(): Promise<PoolUser[]> {
    const users: PoolUser[] = [];
    let paginationToken: string | undefined;
    do {
      const page = await this.client.send(new ListUsersCommand({ UserPoolId: this.userPoolId, Limit: 60, ...(paginationToken ? { PaginationToken: paginationToken } : {}) }));
      users.push(...(page.Users ?? []));
      paginationToken = page.PaginationToken;
    } while (paginationToken);
    return users;
  }
}

/** An e-mail name is also the user's (verified) e-mail: the pool needs it to sign in and to reset a forgotten password. */
function emailAttributesOf(username: string): AttributeType[] | undefined {
  return username.includes('@')
    ? [
        { Name: 'email', Value: username },
        { Name: 'email_verified', Value: 'true' },
      ]
    : undefined;
}

function passwordRefused(error: unknown, field: string): ValidationError {
  return new ValidationError([{ field, message: `refused by the user pool's password policy: ${(error as Error).message}` }]);
}
