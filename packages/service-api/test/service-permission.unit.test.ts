/**
 * The `service` permission: held by no role, only by Lifeboat's services calling each other
 * (`systemCaller`), so that an operation declared with it is refused to every user.
 */
import { describe, expect, it } from '@jest/globals';
import { ROLES, callerMay, createApiHandler, isServiceCaller, may, operation, systemCaller } from '../src/index.js';

describe('the service permission', () => {
  it('is granted by no role, and to every service caller', () => {
    expect(ROLES.filter((role) => may([role], 'service'))).toEqual([]);
    expect(callerMay(systemCaller('execution'), 'service')).toBe(true);
    expect(callerMay({ userId: 'service:planning', roles: [] }, 'service')).toBe(true);
    expect(callerMay({ userId: '5b1f0c1e-aaaa-bbbb-cccc-0123456789ab', roles: [...ROLES] }, 'service')).toBe(false);
    expect(isServiceCaller({ userId: 'service:' })).toBe(false);
    expect(isServiceCaller({ userId: 'services:x' })).toBe(false);
    // Other permissions stay a matter of roles, for services too.
    expect(callerMay(systemCaller('execution'), 'admin')).toBe(true);
    expect(callerMay({ userId: 'service:x', roles: ['Viewer'] }, 'admin')).toBe(false);
  });

  it('refuses users an operation declared with it, naming it as for services only', async () => {
    const handler = createApiHandler({ secret: operation('service', async () => ({ secret: 42 })) });
    expect(await handler({ operation: 'secret', input: {}, caller: systemCaller('execution') })).toEqual({ ok: true, result: { secret: 42 } });
    expect(await handler({ operation: 'secret', input: {}, caller: { userId: 'u-1', username: 'ada', roles: ['Admin'] } })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: "secret is for Lifeboat's services only" },
    });
  });
});
