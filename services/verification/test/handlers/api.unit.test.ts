import { beforeAll, describe, expect, it } from '@jest/globals';
import type { ApiRequest } from '@lifeboat/service-api';
import type { handler as ApiHandler } from '../../src/handlers/api.js';

let handler: typeof ApiHandler;

const viewer = { userId: 'u-1', username: 'viewer@example.com', roles: ['Viewer'] };

beforeAll(async () => {
  process.env.VERIFICATION_TIMEOUT_SECONDS = '890';
  process.env.VERIFICATION_POLL_MS = '5000';
  process.env.VERIFICATION_POST_LAUNCH_ACTIONS_TIMEOUT_SECONDS = '600';
  process.env.VERIFICATION_PROBE_TIMEOUT_SECONDS = '60';
  ({ handler } = await import('../../src/handlers/api.js'));
});

function call(request: Partial<ApiRequest>) {
  return handler(request as ApiRequest);
}

describe('verification api', () => {
  it('describeVerificationChecks answers the default checks and their timeouts to a viewer', async () => {
    const response = await call({ operation: 'describeVerificationChecks', input: {}, caller: viewer });

    expect(response).toEqual({
      ok: true,
      result: {
        scope: 'default',
        timeoutSeconds: 890,
        pollIntervalMs: 5000,
        checks: [
          { name: 'ec2-running-and-status-checks', description: expect.any(String), timeoutSeconds: 900 },
          { name: 'ssm-agent-online', description: expect.any(String), timeoutSeconds: 600 },
          { name: 'drs-post-launch-actions', description: expect.any(String), timeoutSeconds: 600 },
        ],
      },
    });
  });

  it('refuses a caller without the read permission', async () => {
    const response = await call({ operation: 'describeVerificationChecks', input: {}, caller: { ...viewer, roles: [] } });
    expect(response).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('refuses input it does not know, naming the field', async () => {
    const response = await call({ operation: 'describeVerificationChecks', input: { serverId: 's-1' }, caller: viewer });
    expect(response).toMatchObject({ ok: false, error: { code: 'BAD_USER_INPUT', field: 'serverId' } });
  });
});
