/**
 * The rules of the user directory, pure: what a username, a password and a set of roles must be,
 * and which changes are refused because they would lock everyone out (no Admin left, an Admin
 * deleting themself). Each adapter gathers the facts (the user, how many Admins there are, whether
 * the current password matched) and asks these functions before it changes anything.
 */
import type { FieldProblem, Role } from '@lifeboat/service-api';
import { ConflictError, NotFoundError, ROLES, ValidationError, isRole } from '@lifeboat/service-api';
import type { NewUser } from '../directory.js';

export const USERNAME_PATTERN = /^[a-zA-Z0-9._@-]{1,128}$/;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
const ADMIN: Role = 'Admin';

/** What the rules need to know of a user already in the directory. */
export interface UserFacts {
  roles: readonly string[];
}

export function usernameProblems(username: string, field: string): FieldProblem[] {
  return USERNAME_PATTERN.test(username) ? [] : [{ field, message: 'must be 1 to 128 letters, digits or . _ @ -' }];
}

export function passwordProblems(password: string, field: string): FieldProblem[] {
  // Characters as a person counts them (code points), not UTF-16 units.
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return [{ field, message: `must have at least ${MIN_PASSWORD_LENGTH} characters` }];
  if (length > MAX_PASSWORD_LENGTH) return [{ field, message: `must have at most ${MAX_PASSWORD_LENGTH} characters` }];
  return [];
}

/** Only the five roles of ARCHITECTURE §5, each at most once; `field` is the list's path (`roles`). */
export function roleProblems(roles: readonly string[], field: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  roles.forEach((role, index) => {
    if (!isRole(role)) problems.push({ field: `${field}[${index}]`, message: `must be one of ${ROLES.join(', ')}` });
    else if (roles.indexOf(role) < index) problems.push({ field: `${field}[${index}]`, message: `${role} is given twice` });
  });
  return problems;
}

function refuse(problems: FieldProblem[]): void {
  if (problems.length > 0) throw new ValidationError(problems);
}

function found<T extends UserFacts>(username: string, user: T | undefined): T {
  if (!user) throw new NotFoundError(`There is no user ${username}`, 'username');
  return user;
}

const holdsAdmin = (roles: readonly string[]): boolean => roles.includes(ADMIN);

/** createUser's input: every bad field at once (`username`, `password`, `roles[i]`). Answers the roles to give. */
export function checkNewUser(input: NewUser): Role[] {
  refuse([...usernameProblems(input.username, 'username'), ...passwordProblems(input.password, 'password'), ...roleProblems(input.roles, 'roles')]);
  return [...(input.roles as readonly Role[])];
}

/** The CONFLICT of a createUser whose name is taken (also raised by an adapter whose store refuses the name itself). */
export function usernameTaken(username: string): ConflictError {
  return new ConflictError(`The username ${username} is taken`, 'username');
}

/** createUser: the input's problems (checkNewUser), then CONFLICT when the name is taken. Answers the roles to give. */
export function decideCreateUser(input: NewUser, existing: UserFacts | undefined): Role[] {
  const roles = checkNewUser(input);
  if (existing) throw usernameTaken(input.username);
  return roles;
}

/**
 * setUserRoles: bad roles (`roles[i]`), then NOT_FOUND, then CONFLICT when the user is the last
 * Admin (`admins`: how many users hold Admin now, this one included) and would lose it.
 */
export function decideRoleChange(username: string, roles: readonly string[], user: UserFacts | undefined, admins: number): Role[] {
  refuse(roleProblems(roles, 'roles'));
  const current = found(username, user);
  if (holdsAdmin(current.roles) && !holdsAdmin(roles) && admins <= 1) {
    throw new ConflictError(`${username} is the last Admin: give another user the Admin role first`, 'roles');
  }
  return [...(roles as readonly Role[])];
}

/**
 * deleteUser: NOT_FOUND, then CONFLICT when the caller would delete themself (another Admin can)
 * or the last Admin.
 */
export function decideDeletion(username: string, user: (UserFacts & { isCaller: boolean }) | undefined, admins: number): void {
  const target = found(username, user);
  if (target.isCaller) throw new ConflictError('You may not delete yourself: ask another Admin', 'username');
  if (holdsAdmin(target.roles) && admins <= 1) throw new ConflictError(`${username} is the last Admin: give another user the Admin role first`, 'username');
}

/** setUserPassword (an Admin's reset): a bad password (`password`), then NOT_FOUND. */
export function decidePasswordReset(username: string, password: string, user: UserFacts | undefined): void {
  refuse(passwordProblems(password, 'password'));
  found(username, user);
}

/**
 * changePassword: the current password must match (the adapter compares it in constant time) and
 * the new one must be valid and different. Every problem at once, `currentPassword` first.
 */
export function decidePasswordChange(change: { currentPassword: string; newPassword: string; currentPasswordMatches: boolean }): void {
  refuse([
    ...(change.currentPasswordMatches ? [] : [{ field: 'currentPassword', message: 'is not your current password' }]),
    ...passwordProblems(change.newPassword, 'newPassword'),
    ...(change.newPassword === change.currentPassword ? [{ field: 'newPassword', message: 'must differ from the current password' }] : []),
  ]);
}
