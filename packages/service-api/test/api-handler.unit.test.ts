import { describe, it, expect, beforeEach, jest } from '@jest/globals';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { stubClient } from '@lifeboat/testing';
import {
  ConflictError,
  ForbiddenError,
  LifeboatError,
  NotFoundError,
  QuotaExceededError,
  ROLES,
  ServiceApiClient,
  UnauthenticatedError,
  ValidationError,
  createApiHandler,
  envGetter,
  fromErrorBody,
  functionNameOf,
  may,
  operation,
  requiredEnv,
  systemCaller,
  type ApiRequest,
  type ApiResponse,
  type Caller,
  type ErrorBody,
  type Permission,
} from '../src/index.js';

const alice: Caller = { userId: 'sub-alice', username: 'alice', roles: ['PlanAuthor'] };
const victor: Caller = { userId: 'sub-victor', username: 'victor', roles: ['Viewer'] };

interface Plan {
  planId: string;
  name: string;
}

/** A small service API, as a service's `src/handlers/api.ts` declares it. */
function planningApi(log: (message: string, error: unknown) => void = () => undefined) {
  const plans = new Map<string, Plan>([['plan-1', { planId: 'plan-1', name: 'Tier 1' }]]);
  const handlers = {
    getRecoveryPlan: jest.fn(async (input: { planId: string }) => {
      const plan = plans.get(input.planId);
      if (!plan) throw new NotFoundError(`recovery plan ${input.planId} does not exist`, 'planId');
      return plan;
    }),
    createRecoveryPlan: jest.fn(async (input: { name?: string; waves?: unknown[] }, caller: Caller) => {
      const problems = [];
      if (!input.name) problems.push({ field: 'name', message: 'is required' });
      if (!Array.isArray(input.waves) || input.waves.length === 0) problems.push({ field: 'waves', message: 'needs at least one wave' });
      if (problems.length > 0) throw new ValidationError(problems);
      return { planId: 'plan-2', name: input.name ?? '', createdBy: caller.username };
    }),
    listRecoveryPlans: jest.fn(async (input: Record<string, never>) => ({ input, items: [...plans.values()] })),
    renamePlan: jest.fn(async (): Promise<Plan> => {
      throw new ConflictError('the plan changed since you read it', 'version');
    }),
    launchMissiles: jest.fn(async (): Promise<never> => {
      throw new Error('connect ECONNREFUSED arn:aws:dynamodb:us-east-1:123456789012:table/lifeboat-planning-plans-prod');
    }),
    startBigDrill: jest.fn(async (): Promise<never> => {
      throw new QuotaExceededError('500 source servers are already in active jobs');
    }),
  };
  const handler = createApiHandler(
    {
      getRecoveryPlan: operation('read', handlers.getRecoveryPlan),
      createRecoveryPlan: operation('plan:write', handlers.createRecoveryPlan),
      listRecoveryPlans: operation('read', handlers.listRecoveryPlans),
      renamePlan: operation('plan:write', handlers.renamePlan),
      launchMissiles: operation('read', handlers.launchMissiles),
      startBigDrill: operation('drill:run', handlers.startBigDrill),
    },
    log,
  );
  return { handler, handlers };
}

const request = (operationName: string, input: unknown, caller: Caller = alice): ApiRequest => ({ operation: operationName, input, caller });

/** A Lambda response payload. */
const bytes = (text: string): InvokeCommandOutput['Payload'] => new TextEncoder().encode(text) as InvokeCommandOutput['Payload'];

/** The JSON text of a request payload (ServiceApiClient sends bytes). */
function text(payload: unknown): string {
  if (!(payload instanceof Uint8Array)) throw new Error('expected the payload as bytes');
  return new TextDecoder().decode(payload);
}

function errorOf(response: ApiResponse): ErrorBody {
  if (response.ok) throw new Error(`expected an error, got ${JSON.stringify(response.result)}`);
  return response.error;
}

describe('createApiHandler', () => {
  it('dispatches on the operation, passing input and caller', async () => {
    const { handler, handlers } = planningApi();

    expect(await handler(request('getRecoveryPlan', { planId: 'plan-1' }))).toEqual({ ok: true, result: { planId: 'plan-1', name: 'Tier 1' } });
    expect(await handler(request('createRecoveryPlan', { name: 'Tier 2', waves: [{}] }))).toEqual({ ok: true, result: { planId: 'plan-2', name: 'Tier 2', createdBy: 'alice' } });
    expect(handlers.createRecoveryPlan).toHaveBeenCalledWith({ name: 'Tier 2', waves: [{}] }, alice);
    expect(handlers.listRecoveryPlans).not.toHaveBeenCalled();
  });

  it('passes an empty input when none is given', async () => {
    const { handler } = planningApi();
    const response = await handler({ operation: 'listRecoveryPlans', caller: victor } as ApiRequest);
    expect(response).toEqual({ ok: true, result: { input: {}, items: [{ planId: 'plan-1', name: 'Tier 1' }] } });
  });

  it('answers BAD_USER_INPUT on field `operation` for an unknown or missing operation', async () => {
    const { handler } = planningApi();
    for (const name of ['dropAllTables', 'toString', '__proto__', 'constructor']) {
      expect(errorOf(await handler(request(name, {})))).toEqual(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'operation', message: `operation: unknown operation ${name}` }));
    }
    expect(errorOf(await handler({ input: {}, caller: alice } as unknown as ApiRequest))).toEqual(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'operation' }));
    expect(errorOf(await handler(null as unknown as ApiRequest))).toEqual(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'operation' }));
  });

  it('answers UNAUTHENTICATED without a (well-formed) caller, before looking at the operation', async () => {
    const { handler, handlers } = planningApi();
    const malformed = [undefined, null, {}, { userId: 'sub-1', username: 'x' }, { userId: 'sub-1', username: 'x', roles: 'Admin' }];
    for (const caller of malformed) {
      expect(errorOf(await handler({ operation: 'getRecoveryPlan', input: { planId: 'plan-1' }, caller } as unknown as ApiRequest)).code).toBe('UNAUTHENTICATED');
    }
    expect(errorOf(await handler({ operation: 'dropAllTables', input: {} } as ApiRequest)).code).toBe('UNAUTHENTICATED');
    expect(handlers.getRecoveryPlan).not.toHaveBeenCalled();
  });

  it('answers FORBIDDEN when no role of the caller has the permission, without calling the operation', async () => {
    const { handler, handlers } = planningApi();

    const viewer = errorOf(await handler(request('createRecoveryPlan', { name: 'x', waves: [{}] }, victor)));
    expect(viewer).toEqual({ code: 'FORBIDDEN', message: 'createRecoveryPlan needs the plan:write permission' });
    expect(errorOf(await handler(request('createRecoveryPlan', {}, { ...alice, roles: ['Operator', 'RecoveryManager'] }))).code).toBe('FORBIDDEN');
    expect(errorOf(await handler(request('getRecoveryPlan', { planId: 'plan-1' }, { ...alice, roles: ['root', 'admin'] }))).code).toBe('FORBIDDEN');
    expect(errorOf(await handler(request('getRecoveryPlan', { planId: 'plan-1' }, { ...alice, roles: [] }))).code).toBe('FORBIDDEN');
    expect(handlers.createRecoveryPlan).not.toHaveBeenCalled();
    expect(handlers.getRecoveryPlan).not.toHaveBeenCalled();

    expect(await handler(request('createRecoveryPlan', { name: 'x', waves: [{}] }, { ...alice, roles: ['Viewer', 'Admin'] }))).toEqual(expect.objectContaining({ ok: true }));
  });

  it('passes the problems of a ValidationError through, the first problem as `field`', async () => {
    const { handler } = planningApi();
    expect(errorOf(await handler(request('createRecoveryPlan', { waves: [] })))).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'name: is required; waves: needs at least one wave',
      field: 'name',
      problems: [
        { field: 'name', message: 'is required' },
        { field: 'waves', message: 'needs at least one wave' },
      ],
    });
  });

  it('answers the code, message and field of the other typed errors', async () => {
    const { handler } = planningApi();
    expect(errorOf(await handler(request('getRecoveryPlan', { planId: 'nope' })))).toEqual({ code: 'NOT_FOUND', message: 'recovery plan nope does not exist', field: 'planId' });
    expect(errorOf(await handler(request('renamePlan', {})))).toEqual({ code: 'CONFLICT', message: 'the plan changed since you read it', field: 'version' });
    expect(errorOf(await handler(request('startBigDrill', {}, { ...alice, roles: ['Operator'] })))).toEqual({ code: 'QUOTA_EXCEEDED', message: '500 source servers are already in active jobs' });
  });

  it('answers INTERNAL with no internal detail for any other error, and logs the error', async () => {
    const log = jest.fn<(message: string, error: unknown) => void>();
    const { handler } = planningApi(log);

    const response = await handler(request('launchMissiles', {}));

    expect(errorOf(response)).toEqual({ code: 'INTERNAL', message: 'Internal error' });
    expect(JSON.stringify(response)).not.toMatch(/ECONNREFUSED|arn:aws|lifeboat-planning/);
    expect(log).toHaveBeenCalledWith('api launchMissiles failed', expect.objectContaining({ message: expect.stringContaining('ECONNREFUSED') }));
  });

  it('does not log typed errors', async () => {
    const log = jest.fn<(message: string, error: unknown) => void>();
    const { handler } = planningApi(log);
    await handler(request('getRecoveryPlan', { planId: 'nope' }));
    await handler(request('createRecoveryPlan', {}, victor));
    expect(log).not.toHaveBeenCalled();
  });
});

describe('roles (ARCHITECTURE §5)', () => {
  const table: Record<(typeof ROLES)[number], Permission[]> = {
    Viewer: ['read'],
    Operator: ['read', 'drill:run', 'drill:approve'],
    PlanAuthor: ['read', 'plan:write'],
    RecoveryManager: ['read', 'drill:run', 'drill:approve', 'recovery:run', 'recovery:approve'],
    Admin: ['read', 'drill:run', 'drill:approve', 'plan:write', 'recovery:run', 'recovery:approve', 'admin'],
  };
  const all: Permission[] = ['read', 'drill:run', 'drill:approve', 'plan:write', 'recovery:run', 'recovery:approve', 'admin'];

  it.each(ROLES.map((role) => [role] as const))('%s may exactly what the table says', (role) => {
    expect(all.filter((permission) => may([role], permission))).toEqual(table[role]);
  });

  it('grants the union of several roles and nothing for unknown ones', () => {
    expect(may(['Operator', 'PlanAuthor'], 'plan:write')).toBe(true);
    expect(may(['Operator', 'PlanAuthor'], 'recovery:run')).toBe(false);
    expect(all.some((permission) => may(['admin', 'ADMIN', 'Administrators'], permission))).toBe(false);
  });
});

describe('ServiceApiClient round trip through Lambda Invoke', () => {
  const lambdaMock = stubClient(LambdaClient);
  const lambda = new LambdaClient({ region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const functionName = functionNameOf('planning', 'test', 'api');
  let api: ReturnType<typeof planningApi>;

  beforeEach(() => {
    api = planningApi();
    lambdaMock.reset();
    // The Lambda service: decode the payload, run the API handler, encode its answer.
    lambdaMock.on(InvokeCommand).callsFake(async (input) => {
      const payload = JSON.parse(text(input.Payload)) as ApiRequest;
      const response = await api.handler(payload);
      return { StatusCode: 200, Payload: bytes(JSON.stringify(response)) };
    });
  });

  it('invokes the function synchronously with { operation, input, caller } and returns the result', async () => {
    const client = new ServiceApiClient(functionName, lambda);

    await expect(client.call<Plan>('getRecoveryPlan', { planId: 'plan-1' }, victor)).resolves.toEqual({ planId: 'plan-1', name: 'Tier 1' });

    const [call] = lambdaMock.commandCalls(InvokeCommand);
    expect(call?.args[0].input).toEqual(expect.objectContaining({ FunctionName: 'lifeboat-planning-test-api', InvocationType: 'RequestResponse' }));
    expect(JSON.parse(text(call?.args[0].input.Payload))).toEqual({ operation: 'getRecoveryPlan', input: { planId: 'plan-1' }, caller: victor });
  });

  it('rebuilds a ValidationError with every problem', async () => {
    const error = await new ServiceApiClient(functionName, lambda).call('createRecoveryPlan', {}, alice).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toBeInstanceOf(LifeboatError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name', problems: [{ field: 'name', message: 'is required' }, { field: 'waves', message: 'needs at least one wave' }] });
  });

  it.each([
    ['getRecoveryPlan', { planId: 'nope' }, alice, NotFoundError, { code: 'NOT_FOUND', field: 'planId', message: 'recovery plan nope does not exist' }],
    ['renamePlan', {}, alice, ConflictError, { code: 'CONFLICT', field: 'version' }],
    ['createRecoveryPlan', {}, victor, ForbiddenError, { code: 'FORBIDDEN' }],
    ['getRecoveryPlan', {}, { userId: '', username: '' } as unknown as Caller, UnauthenticatedError, { code: 'UNAUTHENTICATED' }],
    ['startBigDrill', {}, systemCaller('execution'), QuotaExceededError, { code: 'QUOTA_EXCEEDED' }],
  ] as const)('%s rebuilds the typed error (%#)', async (operationName, input, caller, type, shape) => {
    const error = await new ServiceApiClient(functionName, lambda).call(operationName, input, caller).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject(shape);
  });

  it('turns INTERNAL into a plain Error with no internal detail', async () => {
    const error = await new ServiceApiClient(functionName, lambda).call('launchMissiles', {}, alice).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(LifeboatError);
    expect((error as Error).message).toBe('Internal error');
  });

  it('reports a function error (the handler crashed) naming the function', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: bytes('{"errorMessage":"Task timed out"}') });
    await expect(new ServiceApiClient(functionName, lambda).call('getRecoveryPlan', {}, alice)).rejects.toThrow('lifeboat-planning-test-api failed: Unhandled');
  });

  it('rebuilds an error code it does not know as an Error rather than throwing undefined', () => {
    const error = fromErrorBody({ code: 'TEAPOT', message: 'I am a teapot' } as unknown as ErrorBody);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('I am a teapot');
  });
});

describe('helpers', () => {
  it('names functions and the system caller as the conventions say', () => {
    expect(functionNameOf('execution', 'prod', 'api')).toBe('lifeboat-execution-prod-api');
    expect(systemCaller('execution')).toEqual({ userId: 'service:execution', username: 'lifeboat-execution', roles: ['Admin'] });
  });

  it('reads required environment variables lazily, naming a missing one', () => {
    const name = 'LIFEBOAT_TEST_SERVICE_API_VARIABLE';
    delete process.env[name];
    const get = envGetter(name);
    expect(() => requiredEnv(name)).toThrow(`Environment variable ${name} is not set`);
    expect(get).toThrow(name);
    process.env[name] = 'lifeboat-planning-plans-test';
    try {
      expect(get()).toBe('lifeboat-planning-plans-test');
      process.env[name] = 'changed';
      expect(get()).toBe('lifeboat-planning-plans-test');
    } finally {
      delete process.env[name];
    }
  });
});
