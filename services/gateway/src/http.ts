import type { ApolloServer } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { UnauthenticatedError } from '@lifeboat/service-api';
import type { LifeboatError } from '@lifeboat/service-api';
import type { Authenticator } from './auth.js';
import type { GatewayContext } from './context.js';
import { extensionsOf } from './errors.js';

/**
 * Largest request body accepted, over HTTP (here and on API Gateway) and per WebSocket message:
 * an oversized input is refused before it is parsed.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An HTTP request to /graphql, whatever carried it (Node http, API Gateway). */
export interface GraphQLHttpRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  /** The query string with its `?`, or ''. */
  search: string;
  /** The raw body, if any. */
  body?: string;
}

export interface GraphQLHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function headerMapOf(headers: GraphQLHttpRequest['headers']): HeaderMap {
  const map = new HeaderMap();
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) map.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return map;
}

/** A request refused before GraphQL runs (not JSON, too large), answered as a GraphQL error. */
export function requestRefused(status: 400 | 413, message: string): GraphQLHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] }),
  };
}

/** Why a raw body cannot be a GraphQL request, before Apollo sees it; undefined when it may be. */
export function bodyRefusal(body: string | undefined, contentType: string | undefined): GraphQLHttpResponse | undefined {
  if (body === undefined || body === '') return undefined;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) return requestRefused(413, `The request body exceeds ${MAX_BODY_BYTES} bytes`);
  if (!isJson(contentType)) return undefined;
  try {
    JSON.parse(body);
    return undefined;
  } catch {
    return requestRefused(400, 'The body is not valid JSON');
  }
}

/** The context of a request: its verified caller (a 401 UNAUTHENTICATED error without one). */
export async function authenticatedContext(authenticator: Authenticator, authorization: string | undefined | null): Promise<GatewayContext> {
  try {
    const { caller, expiresAt } = await authenticator.authenticate(authorization);
    return { caller, expiresAt };
  } catch (error) {
    throw error instanceof UnauthenticatedError ? unauthenticated(error) : error;
  }
}

/** 401 with `WWW-Authenticate: Bearer`, as an error Apollo answers for a failed context. */
function unauthenticated(error: LifeboatError): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { ...extensionsOf(error), http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer']]) } },
  });
}

const isJson = (contentType: string | undefined): boolean => /^application\/(.+\+)?json\b/i.test(contentType ?? '');

/**
 * Runs one GraphQL HTTP request through Apollo Server: parses a JSON body, authenticates the
 * bearer token (401 UNAUTHENTICATED without a valid one) and answers Apollo's response.
 */
export async function executeGraphQLHttp(server: ApolloServer<GatewayContext>, authenticator: Authenticator, request: GraphQLHttpRequest): Promise<GraphQLHttpResponse> {
  const headers = headerMapOf(request.headers);
  const refusal = bodyRefusal(request.body, headers.get('content-type'));
  if (refusal) return refusal;
  let body: unknown = undefined;
  if (request.body !== undefined && request.body !== '') {
    // Apollo answers 400 for a POST that is not JSON.
    body = isJson(headers.get('content-type')) ? JSON.parse(request.body) : request.body;
  }
  const response = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method.toUpperCase(), headers, search: request.search, body },
    context: () => authenticatedContext(authenticator, headers.get('authorization')),
  });
  let text = '';
  if (response.body.kind === 'complete') text = response.body.string;
  else for await (const chunk of response.body.asyncIterator) text += chunk;
  return { status: clientErrorStatus(response.status ?? 200, text), headers: Object.fromEntries(response.headers), body: text };
}

const CLIENT_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

/**
 * A document refused as it is parsed (GraphQL Armor's token limit throws from the parser) comes
 * back from Apollo as a 500: it is the client's error, so it is a 400.
 */
export function clientErrorStatus(status: number, body: string): number {
  if (status < 500) return status;
  try {
    const { errors } = JSON.parse(body) as { errors?: { extensions?: { code?: string } }[] };
    return errors && errors.length > 0 && errors.every((e) => CLIENT_ERROR_CODES.has(e.extensions?.code ?? '')) ? 400 : status;
  } catch {
    return status;
  }
}
