import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from './context.js';
import { consoleErrorLogger, formatGatewayError } from './errors.js';
import type { ErrorLogger } from './errors.js';

export interface GatewayServerOptions {
  /** Where internal errors are logged (default console.error). */
  log?: ErrorLogger;
}

/**
 * The Apollo Server of the gateway, shared by the local HTTP server and the Lambda handler:
 * CSRF prevention on, no stack traces, every error mapped by formatGatewayError, no landing
 * page (the web UI is the client; introspection still works for tools, with a token).
 */
export function createGatewayServer(schema: GraphQLSchema, options: GatewayServerOptions = {}): ApolloServer<GatewayContext> {
  const log = options.log ?? consoleErrorLogger;
  return new ApolloServer<GatewayContext>({
    schema,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // The local runtime and Lambda decide when the process stops.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => formatGatewayError(formatted, error, log),
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
}
