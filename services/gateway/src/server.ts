import { ApolloServer } from '@apollo/server';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from './context.js';
import { consoleErrorLogger, formatGatewayError } from './errors.js';
import type { ErrorLogger } from './errors.js';
import { operationLimits } from './limits.js';

export interface GatewayServerOptions {
  /** Where internal errors are logged (default console.error). */
  log?: ErrorLogger;
  /** Schema introspection; default GATEWAY_INTROSPECTION ('true' turns it on; off unless asked). */
  introspection?: boolean;
}

/**
 * The Apollo Server of the gateway, shared by the local HTTP server and the Lambda handler:
 * CSRF prevention on, no stack traces, every error mapped by formatGatewayError, no landing
 * page (the web UI is the client), operation limits (depth, aliases, tokens, cost; no batched
 * requests), introspection only where configured (the local stack turns it on; off on AWS unless a
 * stage asks). No cache control: every answer is private to its caller (never cached by a CDN), and
 * Apollo's cache-control plugin wraps every field's resolver (a 1,000-server execution's detail is
 * about 50,000 fields: a third of its time went to that wrapping).
 */
export function createGatewayServer(schema: GraphQLSchema, options: GatewayServerOptions = {}): ApolloServer<GatewayContext> {
  const log = options.log ?? consoleErrorLogger;
  const limits = operationLimits();
  return new ApolloServer<GatewayContext>({
    schema,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    introspection: options.introspection ?? process.env.GATEWAY_INTROSPECTION === 'true',
    validationRules: limits.validationRules,
    // The local runtime and Lambda decide when the process stops.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => formatGatewayError(formatted, error, log),
    // Armor's plugins read no context; they are typed for Apollo's base context only.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ...(limits.plugins as ApolloServerPlugin<GatewayContext>[])],
  });
}
