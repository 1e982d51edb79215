import { GraphQLError, getOperationAST, getVariableValues, parse, validate } from 'graphql';
import type { DocumentNode, GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Disposable } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { Authentication, Authenticator } from '../auth.js';
import type { GatewayContext } from '../context.js';
import { consoleErrorLogger, formatGatewayError } from '../errors.js';
import type { ErrorLogger } from '../errors.js';
import { validationRulesWithLimits } from '../limits.js';

/** What a graphql-ws client sends in `connection_init`: `{ authorization: 'Bearer <jwt>' }`. */
export interface ConnectionParams {
  authorization?: unknown;
  Authorization?: unknown;
  [key: string]: unknown;
}

type ConnectionExtra = { authentication: Authentication };

function coded(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code } }));
}

function format(errors: readonly GraphQLError[], log: ErrorLogger): GraphQLFormattedError[] {
  return errors.map((error) => formatGatewayError(error.toJSON(), error, log));
}

/**
 * GraphQL over WebSocket (the graphql-transport-ws protocol of graphql-ws) for subscriptions.
 * The bearer token is verified at `connection_init` (a bad or missing one closes the socket with
 * 4403 Forbidden); each `subscribe` checks again that the token has not expired since, and the
 * resolvers check the caller's permission as they do over HTTP. Errors are mapped like Apollo's.
 * `dispose()` closes every connection (their subscriptions end and leave the broker).
 */
export function serveGraphQLOverWebSocket(wss: WebSocketServer, schema: GraphQLSchema, authenticator: Authenticator, log: ErrorLogger = consoleErrorLogger): Disposable {
  // The same operation limits as over HTTP.
  const rules = validationRulesWithLimits();
  return useServer<ConnectionParams, ConnectionExtra>(
    {
      schema,
      // Close reasons never carry an internal message.
      isProd: true,
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        try {
          ctx.extra.authentication = await authenticator.authenticate(typeof header === 'string' ? header : undefined);
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: (ctx, _id, payload) => {
        const authentication = ctx.extra.authentication;
        if (!authentication) return [new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED' } })];
        if (authentication.expiresAt * 1000 <= Date.now()) {
          return [new GraphQLError('Token expired: reconnect with a new token', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return coded([error instanceof GraphQLError ? error : new GraphQLError('Syntax error')], 'GRAPHQL_PARSE_FAILED');
        }
        const invalid = validate(schema, document, rules);
        if (invalid.length > 0) return coded(invalid, 'GRAPHQL_VALIDATION_FAILED');
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Unable to identify the operation to run', { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })];
        const variables = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
        if (variables.errors) return coded(variables.errors, 'BAD_USER_INPUT');
        const contextValue: GatewayContext = { caller: authentication.caller, expiresAt: authentication.expiresAt };
        return { schema, document, operationName: payload.operationName ?? null, variableValues: variables.coerced, contextValue };
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: format(result.errors, log) } : undefined),
      onError: (_ctx, _id, _payload, errors) => format(errors, log),
    },
    wss,
  );
}
