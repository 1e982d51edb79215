/**
 * The user directory port: who may sign in and with which roles (`cognito:groups`). The local
 * identity provider (packages/local) and the Cognito user pool (cognito.ts) implement it; the
 * rules both follow are in domain/rules.ts.
 */
import type { Caller, Role } from '@lifeboat/service-api';

/** A user as the directory answers it: never a password or its hash. */
export interface UserAccount {
  /** What the user signs in with. */
  username: string;
  /** The roles (groups); a change applies from the user's next sign-in (tokens carry the groups). */
  roles: Role[];
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** createUser's input (GraphQL `CreateUserInput`); its errors name fields `username`, `password`, `roles[i]`. */
export interface NewUser {
  username: string;
  password: string;
  roles: readonly string[];
}

/** Who asks: the subject of the verified token (`userId` is `sub`). */
export type DirectoryCaller = Pick<Caller, 'userId' | 'username'>;

/**
 * Errors are the typed ones of @lifeboat/service-api: ValidationError (BAD_USER_INPUT) naming the
 * field, NotFoundError for an unknown user, ConflictError for a taken name or a change that would
 * leave no Admin. A refused call changes nothing.
 */
export interface UserDirectory {
  /** Every user, by name. */
  listUsers(): Promise<UserAccount[]>;
  createUser(input: NewUser): Promise<UserAccount>;
  /** Replaces the user's roles (fields `roles[i]`). */
  setUserRoles(username: string, roles: readonly string[]): Promise<UserAccount>;
  /** An administrator's reset (field `password`). */
  setUserPassword(username: string, password: string): Promise<UserAccount>;
  /** `caller` may not delete themself. */
  deleteUser(username: string, caller: DirectoryCaller): Promise<{ username: string }>;
  /** The user's own change, given the current password (fields `currentPassword`, `newPassword`). */
  changePassword(username: string, currentPassword: string, newPassword: string): Promise<UserAccount>;
}

const notConfigured = (): Promise<never> => Promise.reject(new Error('User management is not configured in this gateway (no user directory was given)'));

/** Stands in for a directory the runtime did not wire: every call fails, clearly (logged, INTERNAL to the client). */
export const unconfiguredUserDirectory: UserDirectory = {
  listUsers: notConfigured,
  createUser: notConfigured,
  setUserRoles: notConfigured,
  setUserPassword: notConfigured,
  deleteUser: notConfigured,
  changePassword: notConfigured,
};
