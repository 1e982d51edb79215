/** The user directory's rules (pure): given the directory's facts, when a change is asked, then what is decided or refused. */
import { describe, expect, it } from '@jest/globals';
import { ConflictError, NotFoundError, ValidationError } from '@lifeboat/service-api';
import { decideCreateUser, decideDeletion, decidePasswordChange, decidePasswordReset, decideRoleChange } from '../src/users/domain/rules.js';

const GOOD_PASSWORD = 'correct-horse-battery';

function thrown(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected the rules to refuse');
}

const problemsOf = (error: unknown) => (error instanceof ValidationError ? error.problems.map((p) => p.field) : error);

describe('createUser', () => {
  it('given a free name, when a valid user is asked for, then it gets the roles asked for', () => {
    expect(decideCreateUser({ username: 'ops.lead@example.com', password: GOOD_PASSWORD, roles: ['Operator', 'PlanAuthor'] }, undefined)).toEqual(['Operator', 'PlanAuthor']);
  });

  it('given a free name, when no roles are asked for, then the user has none (signs in, reads nothing)', () => {
    expect(decideCreateUser({ username: 'guest', password: GOOD_PASSWORD, roles: [] }, undefined)).toEqual([]);
  });

  it('when every field is bad, then BAD_USER_INPUT names each one at its path', () => {
    const error = thrown(() => decideCreateUser({ username: 'has space', password: 'short', roles: ['Viewer', 'Root', 'Viewer'] }, undefined));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'username' });
    expect(problemsOf(error)).toEqual(['username', 'password', 'roles[1]', 'roles[2]']);
    expect((error as ValidationError).problems[3]?.message).toBe('Viewer is given twice');
  });

  it.each([
    ['', false],
    ['a', true],
    ['a'.repeat(128), true],
    ['a'.repeat(129), false],
    ['first.last_2-x@example.com', true],
    ['bob/../admin', false],
    ['émile', false],
  ])('given the username %j, then it is accepted: %s', (username, accepted) => {
    const act = () => decideCreateUser({ username, password: GOOD_PASSWORD, roles: [] }, undefined);
    if (accepted) expect(act()).toEqual([]);
    else expect(problemsOf(thrown(act))).toEqual(['username']);
  });

  it.each([
    ['x'.repeat(11), false],
    ['x'.repeat(12), true],
    ['x'.repeat(256), true],
    ['x'.repeat(257), false],
    // 12 characters as a person counts them, 22 UTF-16 units: too short by characters, not by units.
    ['🔒'.repeat(11), false],
    ['🔒'.repeat(12), true],
  ])('given a password of %j, then it is accepted: %s', (password, accepted) => {
    const act = () => decideCreateUser({ username: 'carol', password, roles: [] }, undefined);
    if (accepted) expect(act()).toEqual([]);
    else expect(problemsOf(thrown(act))).toEqual(['password']);
  });

  it('given the name is taken, then CONFLICT at input.username', () => {
    const error = thrown(() => decideCreateUser({ username: 'bob', password: GOOD_PASSWORD, roles: ['Viewer'] }, { roles: ['Viewer'] }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'CONFLICT', field: 'username', message: 'The username bob is taken' });
  });

  it('given the name is taken and the input is bad, then the bad input is what is answered', () => {
    expect(thrown(() => decideCreateUser({ username: 'bob', password: 'short', roles: [] }, { roles: [] }))).toBeInstanceOf(ValidationError);
  });
});

describe('setUserRoles', () => {
  it('given two Admins, when one loses Admin, then the new roles are decided', () => {
    expect(decideRoleChange('alice', ['Viewer'], { roles: ['Admin'] }, 2)).toEqual(['Viewer']);
  });

  it('given a single Admin, when another user gets roles, then it is allowed', () => {
    expect(decideRoleChange('bob', ['RecoveryManager', 'Admin'], { roles: ['Viewer'] }, 1)).toEqual(['RecoveryManager', 'Admin']);
  });

  it('given the last Admin, when it would lose Admin, then CONFLICT', () => {
    const error = thrown(() => decideRoleChange('alice', ['Operator'], { roles: ['Admin', 'Operator'] }, 1));
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toBe('alice is the last Admin: give another user the Admin role first');
  });

  it('given the last Admin, when it keeps Admin among other roles, then it is allowed', () => {
    expect(decideRoleChange('alice', ['Viewer', 'Admin'], { roles: ['Admin'] }, 1)).toEqual(['Viewer', 'Admin']);
  });

  it('when a role is unknown or given twice, then BAD_USER_INPUT at roles[i]', () => {
    expect(problemsOf(thrown(() => decideRoleChange('bob', ['Viewer', 'Operator', 'Operator', 'root'], { roles: [] }, 1)))).toEqual(['roles[2]', 'roles[3]']);
  });

  it('given no such user, then NOT_FOUND; bad roles are answered first', () => {
    expect(thrown(() => decideRoleChange('nobody', ['Viewer'], undefined, 1))).toBeInstanceOf(NotFoundError);
    expect(thrown(() => decideRoleChange('nobody', ['Viewer', 'Viewer'], undefined, 1))).toBeInstanceOf(ValidationError);
  });
});

describe('deleteUser', () => {
  it('given another user, when an Admin deletes them, then it is allowed', () => {
    expect(() => decideDeletion('bob', { roles: ['Operator'], isCaller: false }, 1)).not.toThrow();
  });

  it('given another Admin and a second one, when deleted, then it is allowed', () => {
    expect(() => decideDeletion('carol', { roles: ['Admin'], isCaller: false }, 2)).not.toThrow();
  });

  it('when an Admin deletes themself, then CONFLICT, even with other Admins', () => {
    const error = thrown(() => decideDeletion('alice', { roles: ['Admin'], isCaller: true }, 3));
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toBe('You may not delete yourself: ask another Admin');
  });

  it('given the last Admin (the caller no longer is one), when deleted, then CONFLICT', () => {
    expect(thrown(() => decideDeletion('alice', { roles: ['Admin'], isCaller: false }, 1))).toBeInstanceOf(ConflictError);
  });

  it('given no such user, then NOT_FOUND', () => {
    expect(thrown(() => decideDeletion('nobody', undefined, 1))).toMatchObject({ code: 'NOT_FOUND', field: 'username' });
  });
});

describe('setUserPassword', () => {
  it('given a user, when a long enough password is set, then it is allowed', () => {
    expect(() => decidePasswordReset('bob', GOOD_PASSWORD, { roles: [] })).not.toThrow();
  });

  it('when the password is too short, then BAD_USER_INPUT at password (before NOT_FOUND)', () => {
    expect(problemsOf(thrown(() => decidePasswordReset('bob', 'short', { roles: [] })))).toEqual(['password']);
    expect(problemsOf(thrown(() => decidePasswordReset('nobody', 'short', undefined)))).toEqual(['password']);
  });

  it('given no such user, then NOT_FOUND', () => {
    expect(thrown(() => decidePasswordReset('nobody', GOOD_PASSWORD, undefined))).toBeInstanceOf(NotFoundError);
  });
});

describe('changePassword', () => {
  it('given the current password matched, when the new one is valid and different, then it is allowed', () => {
    expect(() => decidePasswordChange({ currentPassword: GOOD_PASSWORD, newPassword: 'another-long-secret', currentPasswordMatches: true })).not.toThrow();
  });

  it('given the current password did not match, then BAD_USER_INPUT at currentPassword', () => {
    const error = thrown(() => decidePasswordChange({ currentPassword: 'guess', newPassword: 'another-long-secret', currentPasswordMatches: false }));
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
  });

  it('when the new password is too short or the same, then BAD_USER_INPUT at newPassword', () => {
    expect(problemsOf(thrown(() => decidePasswordChange({ currentPassword: GOOD_PASSWORD, newPassword: 'short', currentPasswordMatches: true })))).toEqual(['newPassword']);
    expect(problemsOf(thrown(() => decidePasswordChange({ currentPassword: GOOD_PASSWORD, newPassword: GOOD_PASSWORD, currentPasswordMatches: true })))).toEqual(['newPassword']);
  });

  it('given a wrong current password and a short new one, then both, currentPassword first', () => {
    expect(problemsOf(thrown(() => decidePasswordChange({ currentPassword: 'guess', newPassword: 'short', currentPasswordMatches: false })))).toEqual(['currentPassword', 'newPassword']);
  });
});
