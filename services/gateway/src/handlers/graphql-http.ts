/**
 * The gateway on AWS: API Gateway HTTP API (payload format 2.0) -> Apollo Server, through the
 * same schema, authentication and error mapping as the local server. Subscriptions are not
 * served here (HTTP API has no WebSockets; see README).
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApolloServer } from '@apollo/server';
import { envGetter } from '@lifeboat/service-api';
import { authOptionsFromEnv, createAuthenticator } from '../auth.js';
import type { Authenticator } from '../auth.js';
import type { GatewayContext } from '../context.js';
import { executeGraphQLHttp } from '../http.js';
import { createGatewaySchema } from '../schema.js';
import { createGatewayServer } from '../server.js';
import { serviceClientsForStage } from '../services.js';

const stage = envGetter('LIFEBOAT_STAGE');

interface Gateway {
  server: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
}
let gateway: Gateway | undefined;

/** Built once per Lambda container, on the first request (environment variables are read then). */
function gatewayOnce(): Gateway {
  if (!gateway) {
    const server = createGatewayServer(createGatewaySchema(serviceClientsForStage(stage())));
    // Apollo's way for serverless: start now, fail every request if start-up failed.
    server.startInBackgroundHandlingStartupErrorsByLoggingAndFailingAllRequests();
    gateway = { server, authenticator: createAuthenticator(authOptionsFromEnv()) };
  }
  return gateway;
}

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  const { server, authenticator } = gatewayOnce();
  const body = event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const response = await executeGraphQLHttp(server, authenticator, {
    method: event.requestContext.http.method,
    headers: event.headers ?? {},
    search: event.rawQueryString ? `?${event.rawQueryString}` : '',
    body,
  });
  return { statusCode: response.status, headers: response.headers, body: response.body };
}
