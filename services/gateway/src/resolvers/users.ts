/**
 * Resolvers of the "Users and roles" part of graphql/schema.graphql: the user directory (the local
 * identity provider, or the Cognito user pool on AWS). Listing and changing users needs `admin`;
 * changePassword needs only a signed-in caller and changes only the caller's own password.
 */
import type { Caller } from '@lifeboat/service-api';
import { UnauthenticatedError } from '@lifeboat/service-api';
import { authorize } from '../context.js';
import type { GatewayContext } from '../context.js';
import type { UserDirectory } from '../users/directory.js';
import { unconfiguredUserDirectory } from '../users/directory.js';
import type { Resolver } from './support.js';

interface CreateUserArgs {
  input: { username: string; password: string; roles: string[] };
}
interface SetUserRolesArgs {
  username: string;
  roles: string[];
}
interface SetUserPasswordArgs {
  username: string;
  password: string;
}
interface ChangePasswordArgs {
  currentPassword: string;
  newPassword: string;
}

/** Any verified caller, whatever their roles (even none). */
function signedIn(context: Partial<GatewayContext> | undefined): Caller {
  if (!context?.caller) throw new UnauthenticatedError('Authentication required');
  return context.caller;
}

export function userQueries(directory: UserDirectory = unconfiguredUserDirectory) {
  const users: Resolver<Record<string, never>> = (_p, _a, context) => {
    authorize(context, 'admin', 'users');
    return directory.listUsers();
  };
  return { users };
}

export function userMutations(directory: UserDirectory = unconfiguredUserDirectory) {
  const createUser: Resolver<CreateUserArgs> = (_p, { input }, context) => {
    authorize(context, 'admin', 'createUser');
    return directory.createUser({ username: input.username, password: input.password, roles: input.roles });
  };
  const setUserRoles: Resolver<SetUserRolesArgs> = (_p, { username, roles }, context) => {
    authorize(context, 'admin', 'setUserRoles');
    return directory.setUserRoles(username, roles);
  };
  const setUserPassword: Resolver<SetUserPasswordArgs> = (_p, { username, password }, context) => {
    authorize(context, 'admin', 'setUserPassword');
    return directory.setUserPassword(username, password);
  };
  const deleteUser: Resolver<{ username: string }> = (_p, { username }, context) => {
    const caller = authorize(context, 'admin', 'deleteUser');
    return directory.deleteUser(username, caller);
  };
  const changePassword: Resolver<ChangePasswordArgs> = (_p, { currentPassword, newPassword }, context) => {
    const caller = signedIn(context);
    return directory.changePassword(caller.username, currentPassword, newPassword);
  };
  return { createUser, setUserRoles, setUserPassword, deleteUser, changePassword };
}
