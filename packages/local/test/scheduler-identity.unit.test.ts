import { describe, expect, it, jest } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { nextCron, rateMs, Scheduler } from '../src/scheduler.js';
import { LocalIdentityProvider, hashPassword, verifyPassword } from '../src/identity/provider.js';

describe('schedule expressions', () => {
  it('given rate expressions, then their period is read', () => {
    expect(rateMs('rate(1 minute)')).toBe(60_000);
    expect(rateMs('rate(5 minutes)')).toBe(300_000);
    expect(rateMs('rate(2 hours)')).toBe(7_200_000);
    expect(() => rateMs('rate(5 weeks)')).toThrow(/Invalid rate/);
  });

  it('given an AWS cron expression with a year and ?, then the next time is computed in UTC', () => {
    expect(nextCron('cron(0 12 * * ? *)', new Date('2026-11-22T10:00:00Z')).toISOString()).toBe('2026-11-22T12:00:00.000Z');
    expect(nextCron('cron(15 10 ? * MON *)', new Date('2026-11-22T10:00:00Z')).toISOString()).toBe('2026-11-23T10:15:00.000Z');
    expect(() => nextCron('cron(0 12 * *)', new Date())).toThrow(/Invalid cron/);
  });
});

describe('the local scheduler', () => {
  it('given a rate schedule, then it fires once soon after start and then every period', () => {
    jest.useFakeTimers();
    try {
      const fired: string[] = [];
      const scheduler = new Scheduler((rule) => fired.push(rule), { region: 'us-east-1', accountId: '123456789012' });
      scheduler.add({ ruleName: 'reconcile', expression: 'rate(1 minute)', enabled: true });
      jest.advanceTimersByTime(999);
      expect(fired).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(fired).toEqual(['reconcile']);
      jest.advanceTimersByTime(60_000);
      expect(fired).toEqual(['reconcile', 'reconcile']);
      scheduler.close();
      jest.advanceTimersByTime(120_000);
      expect(fired).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('the local identity provider', () => {
  it('given a password, then only its scrypt hash is kept and it verifies', () => {
    const stored = hashPassword('correct horse');
    expect(stored).toMatch(/^scrypt\$/);
    expect(stored).not.toContain('correct horse');
    expect(verifyPassword('correct horse', stored)).toBe(true);
    expect(verifyPassword('wrong', stored)).toBe(false);
  });

  it('given the first start without a password, then an admin is created with a generated password that logs in', async () => {
    const idp = new LocalIdentityProvider({ issuer: 'http://localhost/idp', clientId: 'client' });
    const { generatedAdminPassword } = await idp.init();
    expect(generatedAdminPassword).toBeTruthy();
    expect(await idp.login('admin', 'wrong-password')).toBeUndefined();
    const tokens = await idp.login('admin', generatedAdminPassword ?? '');
    const claims = decodeJwt(tokens?.idToken ?? '');
    expect(claims).toMatchObject({ iss: 'http://localhost/idp', aud: 'client', token_use: 'id', 'cognito:username': 'admin', 'cognito:groups': ['Admin'] });
    expect(decodeProtectedHeader(tokens?.idToken ?? '')).toMatchObject({ alg: 'RS256', kid: idp.jwks().keys[0]?.kid });
    expect(await idp.listUsers()).toEqual([{ username: 'admin', roles: ['Admin'], createdAt: expect.any(String) }]);
    expect(JSON.stringify(await idp.listUsers())).not.toContain('scrypt');
  });
});
