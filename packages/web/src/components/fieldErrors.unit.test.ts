import { describe, expect, it } from '@jest/globals';
import { allProblemsPlaced, fieldError } from './fieldErrors.js';

const badRegions = {
  code: 'BAD_USER_INPUT',
  message: 'Invalid input',
  field: 'regions[1]',
  problems: [
    { field: 'regions[1]', message: 'must be an AWS region such as us-east-1' },
    { field: 'regions[2]', message: 'lists us-east-1 twice' },
    { field: 'roleArn', message: 'must be a role of account 111122223333' },
  ],
};

describe('fieldError', () => {
  it('gathers the problems at a field and below it', () => {
    expect(fieldError(badRegions, 'regions')).toBe('must be an AWS region such as us-east-1 lists us-east-1 twice');
    expect(fieldError(badRegions, 'roleArn')).toBe('must be a role of account 111122223333');
    expect(fieldError(badRegions, 'accountId')).toBeUndefined();
    // `role` is not a parent of `roleArn`
    expect(fieldError(badRegions, 'role')).toBeUndefined();
  });

  it('uses the error itself when it names a field but lists no problems', () => {
    expect(fieldError({ code: 'BAD_USER_INPUT', message: 'is wrong', field: 'currentPassword' }, 'currentPassword')).toBe('is wrong');
  });

  it('places nothing for other codes', () => {
    expect(fieldError({ code: 'CONFLICT', message: 'taken', field: 'username' }, 'username')).toBeUndefined();
    expect(fieldError(undefined, 'username')).toBeUndefined();
  });
});

describe('allProblemsPlaced', () => {
  it('says whether the form shows every problem next to a field', () => {
    expect(allProblemsPlaced(badRegions, ['regions', 'roleArn'])).toBe(true);
    expect(allProblemsPlaced(badRegions, ['regions'])).toBe(false);
    expect(allProblemsPlaced({ code: 'FORBIDDEN', message: 'no' }, ['regions'])).toBe(false);
  });
});
