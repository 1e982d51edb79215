/**
 * The gateway on AWS: API Gateway HTTP API (payload format 2.0, behind its Cognito JWT
 * authorizer) -> Apollo Server through @as-integrations/aws-lambda, with the same schema,
 * authentication, limits and error mapping as the local server. Subscriptions go through the
 * WebSocket API instead (handlers/websocket-api.ts).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { middleware } from '@as-integrations/aws-lambda';
import { envGetter } from '@lifeboat/service-api';
import { authOptionsFromEnv, createAuthenticator } from '../auth.js';
import type { GatewayContext } from '../context.js';
import { authenticatedContext, bodyRefusal, clientErrorStatus } from '../http.js';
import { createGatewaySchema } from '../schema.js';
import { createGatewayServer } from '../server.js';
import { serviceClientsForStage } from '../services.js';
import { CognitoUserDirectory } from '../users/cognito.js';

const stage = envGetter('LIFEBOAT_STAGE');

const requestHandler = handlers.createAPIGatewayProxyEventV2RequestHandler();
type HttpApiRequestHandler = typeof requestHandler;
// The integration is CommonJS and names Apollo's CommonJS declarations; at run time it is handed
// our (ESM) server: it only calls the server's public methods, which both builds share.
type IntegrationServer = Parameters<typeof startServerAndCreateLambdaHandler<HttpApiRequestHandler, GatewayContext>>[0];

function headerOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  // HTTP APIs lower-case header names; a test or another proxy may not.
  return event.headers?.[name] ?? Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * Refuses, before Apollo parses anything, a body that is too large or not the JSON it claims
 * to be (the integration would answer a bare parser message); then turns a document refused by
 * the parser's limits from Apollo's 500 into a 400.
 */
const refuseMalformedRequests: middleware.MiddlewareFn<HttpApiRequestHandler> = async (event) => {
  const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const refusal = bodyRefusal(body, headerOf(event, 'content-type'));
  if (refusal) return { statusCode: refusal.status, headers: refusal.headers, body: refusal.body };
  return async (result) => {
    result.statusCode = clientErrorStatus(result.statusCode ?? 200, result.body ?? '');
  };
};

/**
 * Built once per Lambda container, on the first request (environment variables are read then).
 * With Cognito, users and roles are managed in the pool that issues the tokens.
 */
function createHandler() {
  const auth = authOptionsFromEnv();
  const users = auth.provider === 'cognito' ? CognitoUserDirectory.forIssuer(auth.issuer) : undefined;
  const server = createGatewayServer(createGatewaySchema({ ...serviceClientsForStage(stage()), ...(users ? { users } : {}) }));
  const authenticator = createAuthenticator(auth);
  // The API Gateway authorizer has checked the token already; the gateway verifies it again
  // (issuer, audience, token use, expiry) because it needs the caller and trusts no hop.
  return startServerAndCreateLambdaHandler(server as unknown as IntegrationServer, requestHandler, {
    context: ({ event }) => authenticatedContext(authenticator, headerOf(event, 'authorization')),
    middleware: [refuseMalformedRequests],
  });
}

let lambdaHandler: ReturnType<typeof createHandler> | undefined;

export async function handler(event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> {
  lambdaHandler ??= createHandler();
  const result = await lambdaHandler(event, context ?? ({ functionName: 'graphql', awsRequestId: 'local' } as Context), () => undefined);
  if (!result) throw new Error('The GraphQL handler answered nothing');
  return result;
}
