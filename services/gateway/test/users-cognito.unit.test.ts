/** The Cognito user directory against a stubbed user pool: the exact calls, and the pool's errors as typed ones. */
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InvalidPasswordException,
  ListUsersCommand,
  ListUsersInGroupCommand,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { UserType } from '@aws-sdk/client-cognito-identity-provider';
import { stubClient } from '@lifeboat/testing';
import { ConflictError, NotFoundError, ValidationError } from '@lifeboat/service-api';
import { CognitoUserDirectory } from '../src/users/cognito.js';

const POOL = 'eu-west-1_TestPool1';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const cognito = stubClient(CognitoIdentityProviderClient);
const client = new CognitoIdentityProviderClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } });
const directory = CognitoUserDirectory.forIssuer(ISSUER, client);

const ALICE_SUB = '11111111-1111-4111-8111-111111111111';
const BOB_SUB = '22222222-2222-4222-8222-222222222222';
const CAROL_SUB = '33333333-3333-4333-8333-333333333333';
const CREATED = new Date('2025-02-01T09:00:00.000Z');

/** A user of an e-mail pool: Cognito's username is the generated sub, the e-mail is what people type. */
function poolUser(sub: string, email: string, enabled = true): UserType {
  return {
    Username: sub,
    Attributes: [
      { Name: 'sub', Value: sub },
      { Name: 'email', Value: email },
    ],
    UserCreateDate: CREATED,
    Enabled: enabled,
  };
}
const alice = poolUser(ALICE_SUB, 'alice@example.com');
const bob = poolUser(BOB_SUB, 'bob@example.com');
const carol = poolUser(CAROL_SUB, 'carol@example.com');

function userLookup(...users: UserType[]) {
  cognito.on(AdminGetUserCommand).callsFake((input) => {
    const user = users.find((u) => u.Username === input.Username || u.Attributes?.some((a) => a.Name === 'email' && a.Value === input.Username));
    if (!user) throw new UserNotFoundException({ message: 'User does not exist.', $metadata: {} });
    return { Username: user.Username, UserAttributes: user.Attributes, UserCreateDate: user.UserCreateDate, Enabled: user.Enabled };
  });
}
const groupsAre = (...groups: string[]) => cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: groups.map((GroupName) => ({ GroupName })) });
const adminsAre = (...users: UserType[]) => cognito.on(ListUsersInGroupCommand).callsFake((input) => ({ Users: input.GroupName === 'Admin' ? users : [] }));

beforeEach(() => cognito.reset());
afterAll(() => cognito.restore());

describe('listUsers', () => {
  it('reads every page of users and the five groups, and names each user by e-mail', async () => {
    cognito.on(ListUsersCommand).callsFake((input) => (input.PaginationToken ? { Users: [alice] } : { Users: [carol, bob], PaginationToken: 'page-2' }));
    cognito.on(ListUsersInGroupCommand).callsFake((input) => {
      if (input.GroupName === 'Admin') return { Users: [alice] };
      if (input.GroupName === 'Operator') return input.NextToken ? { Users: [carol] } : { Users: [bob], NextToken: 'more' };
      return { Users: [] };
    });

    expect(await directory.listUsers()).toEqual([
      { username: 'alice@example.com', roles: ['Admin'], createdAt: '2025-02-01T09:00:00.000Z' },
      { username: 'bob@example.com', roles: ['Operator'], createdAt: '2025-02-01T09:00:00.000Z' },
      { username: 'carol@example.com', roles: ['Operator'], createdAt: '2025-02-01T09:00:00.000Z' },
    ]);
    expect(cognito.commandCalls(ListUsersCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, Limit: 60 },
      { UserPoolId: POOL, Limit: 60, PaginationToken: 'page-2' },
    ]);
    expect(cognito.commandCalls(ListUsersInGroupCommand).map((c) => c.args[0].input.GroupName)).toEqual(['Viewer', 'Operator', 'PlanAuthor', 'RecoveryManager', 'Admin', 'Operator']);
  });

  it('names a user of a username pool by its username', async () => {
    cognito.on(ListUsersCommand).resolves({ Users: [{ Username: 'dave', Attributes: [{ Name: 'sub', Value: BOB_SUB }, { Name: 'email', Value: 'dave@example.com' }], UserCreateDate: CREATED }] });
    cognito.on(ListUsersInGroupCommand).resolves({ Users: [] });
    expect((await directory.listUsers()).map((u) => u.username)).toEqual(['dave']);
  });
});

describe('createUser', () => {
  it('creates the user without a message, makes the password permanent and adds the groups', async () => {
    cognito.on(AdminCreateUserCommand).resolves({ User: poolUser(BOB_SUB, 'bob@example.com') });
    cognito.on(AdminSetUserPasswordCommand).resolves({});
    cognito.on(AdminAddUserToGroupCommand).resolves({});

    const created = await directory.createUser({ username: 'bob@example.com', password: 'Str0ng-password!', roles: ['Operator', 'PlanAuthor'] });

    expect(created).toEqual({ username: 'bob@example.com', roles: ['Operator', 'PlanAuthor'], createdAt: '2025-02-01T09:00:00.000Z' });
    expect(cognito.commandCalls(AdminCreateUserCommand)[0]?.args[0].input).toEqual({
      UserPoolId: POOL,
      Username: 'bob@example.com',
      TemporaryPassword: 'Str0ng-password!',
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: 'bob@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    expect(cognito.commandCalls(AdminSetUserPasswordCommand)[0]?.args[0].input).toEqual({ UserPoolId: POOL, Username: 'bob@example.com', Password: 'Str0ng-password!', Permanent: true });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand).map((c) => c.args[0].input)).toEqual([
      { UserPoolId: POOL, Username: 'bob@example.com', GroupName: 'Operator' },
      { UserPoolId: POOL, Username: 'bob@example.com', GroupName: 'PlanAuthor' },
    ]);
  });

  it('refuses bad input before calling the pool', async () => {
    await expect(directory.createUser({ username: 'bob@example.com', password: 'short', roles: ['Viewer', 'Viewer'] })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [
        { field: 'password', message: 'must have at least 12 characters' },
        { field: 'roles[1]', message: 'Viewer is given twice' },
      ],
    });
    expect(cognito.commandCalls(AdminCreateUserCommand)).toHaveLength(0);
  });

  it('a taken name is CONFLICT at username, and nothing else is called', async () => {
    cognito.on(AdminCreateUserCommand).rejects(new UsernameExistsException({ message: 'An account with the given email already exists.', $metadata: {} }));
    const error = await directory.createUser({ username: 'bob@example.com', password: 'Str0ng-password!', roles: ['Viewer'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ field: 'username' });
    expect(cognito.commandCalls(AdminSetUserPasswordCommand)).toHaveLength(0);
  });

  it("a password the pool's policy refuses is BAD_USER_INPUT at input.password, with the pool's reason", async () => {
    cognito.on(AdminCreateUserCommand).rejects(new InvalidPasswordException({ message: 'Password did not conform with policy: Password must have symbol characters', $metadata: {} }));
    await expect(directory.createUser({ username: 'bob@example.com', password: 'nosymbolsatall1A', roles: [] })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'password',
      message: expect.stringContaining('Password must have symbol characters'),
    });
  });

  it('a failure after the user exists deletes it again (no half-made user stays)', async () => {
    cognito.on(AdminCreateUserCommand).resolves({ User: poolUser(BOB_SUB, 'bob@example.com') });
    cognito.on(AdminSetUserPasswordCommand).resolves({});
    cognito.on(AdminAddUserToGroupCommand).rejects(new Error('throttled'));
    cognito.on(AdminDeleteUserCommand).resolves({});
    await expect(directory.createUser({ username: 'bob@example.com', password: 'Str0ng-password!', roles: ['Viewer'] })).rejects.toThrow('throttled');
    expect(cognito.commandCalls(AdminDeleteUserCommand)[0]?.args[0].input).toEqual({ UserPoolId: POOL, Username: 'bob@example.com' });
  });
});

describe('setUserRoles', () => {
  it('given two Admins, removes the groups no longer wanted, then adds the new ones', async () => {
    userLookup(alice, bob);
    groupsAre('Admin', 'Viewer', 'lifeboat-other-app');
    adminsAre(alice, bob);
    cognito.on(AdminRemoveUserFromGroupCommand).resolves({});
    cognito.on(AdminAddUserToGroupCommand).resolves({});

    expect(await directory.setUserRoles('alice@example.com', ['Viewer', 'Operator'])).toEqual({ username: 'alice@example.com', roles: ['Viewer', 'Operator'], createdAt: '2025-02-01T09:00:00.000Z' });
    // A group that is not a role is left alone.
    expect(cognito.commandCalls(AdminRemoveUserFromGroupCommand).map((c) => c.args[0].input)).toEqual([{ UserPoolId: POOL, Username: 'alice@example.com', GroupName: 'Admin' }]);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand).map((c) => c.args[0].input)).toEqual([{ UserPoolId: POOL, Username: 'alice@example.com', GroupName: 'Operator' }]);
  });

  it('given the last Admin who can sign in (the other is disabled), CONFLICT and no change', async () => {
    userLookup(alice);
    groupsAre('Admin');
    adminsAre(alice, poolUser(CAROL_SUB, 'carol@example.com', false));
    await expect(directory.setUserRoles('alice@example.com', ['Viewer'])).rejects.toBeInstanceOf(ConflictError);
    expect(cognito.commandCalls(AdminRemoveUserFromGroupCommand)).toHaveLength(0);
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)).toHaveLength(0);
  });

  it('an unknown user is NOT_FOUND', async () => {
    userLookup(alice);
    adminsAre(alice);
    await expect(directory.setUserRoles('nobody@example.com', ['Viewer'])).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('setUserPassword', () => {
  it('sets a permanent password', async () => {
    userLookup(bob);
    groupsAre('Operator');
    cognito.on(AdminSetUserPasswordCommand).resolves({});
    expect(await directory.setUserPassword('bob@example.com', 'N3w-password-long')).toEqual({ username: 'bob@example.com', roles: ['Operator'], createdAt: '2025-02-01T09:00:00.000Z' });
    expect(cognito.commandCalls(AdminSetUserPasswordCommand)[0]?.args[0].input).toEqual({ UserPoolId: POOL, Username: 'bob@example.com', Password: 'N3w-password-long', Permanent: true });
  });

  it("answers the pool's policy as BAD_USER_INPUT at password", async () => {
    userLookup(bob);
    cognito.on(AdminSetUserPasswordCommand).rejects(new InvalidPasswordException({ message: 'Password must have uppercase characters', $metadata: {} }));
    await expect(directory.setUserPassword('bob@example.com', 'lowercase-only-1!')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
  });
});

describe('deleteUser', () => {
  it('deletes another user', async () => {
    userLookup(alice, bob);
    groupsAre('Operator');
    adminsAre(alice);
    cognito.on(AdminDeleteUserCommand).resolves({});
    expect(await directory.deleteUser('bob@example.com', { userId: ALICE_SUB, username: ALICE_SUB })).toEqual({ username: 'bob@example.com' });
    expect(cognito.commandCalls(AdminDeleteUserCommand)[0]?.args[0].input).toEqual({ UserPoolId: POOL, Username: 'bob@example.com' });
  });

  it('refuses the caller themself (known by the sub of their token), with other Admins around', async () => {
    userLookup(alice, bob);
    groupsAre('Admin');
    adminsAre(alice, bob);
    await expect(directory.deleteUser('alice@example.com', { userId: ALICE_SUB, username: ALICE_SUB })).rejects.toMatchObject({ code: 'CONFLICT', message: 'You may not delete yourself: ask another Admin' });
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
  });

  it('refuses the last Admin', async () => {
    userLookup(alice, bob);
    groupsAre('Admin');
    adminsAre(alice);
    await expect(directory.deleteUser('alice@example.com', { userId: BOB_SUB, username: BOB_SUB })).rejects.toBeInstanceOf(ConflictError);
    expect(cognito.commandCalls(AdminDeleteUserCommand)).toHaveLength(0);
  });
});

describe('changePassword', () => {
  it('is BAD_USER_INPUT at currentPassword, pointing to the sign-in page, and calls nothing', async () => {
    const error = await directory.changePassword('bob@example.com', 'Old-password-1!', 'N3w-password-long!').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'currentPassword', message: expect.stringContaining('Forgot your password?') });
    expect(cognito.commandCalls(AdminSetUserPasswordCommand)).toHaveLength(0);
  });
});

describe('forIssuer', () => {
  it('refuses an issuer that is not a Cognito user pool', () => {
    expect(() => CognitoUserDirectory.forIssuer('http://localhost/lifeboat-local-idp')).toThrow('is not a Cognito user pool issuer');
  });
});
