import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError } from 'graphql';
import type { GraphQLFormattedError } from 'graphql';
import { LifeboatError, ValidationError } from '@lifeboat/service-api';
import type { FieldProblem } from '@lifeboat/service-api';

/**
 * Codes a client may see with the error's own message: the typed Lifeboat errors and the
 * request errors Apollo Server and graphql-js raise before any resolver runs.
 */
const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'QUOTA_EXCEEDED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export const INTERNAL_MESSAGE = 'Internal server error';

/** Where internal errors go (their message and stack never reach a client). */
export type ErrorLogger = (message: string, error: unknown) => void;

export const consoleErrorLogger: ErrorLogger = (message, error) => console.error(message, error);

/** `extensions` of a typed Lifeboat error: its code, and for bad input the field and problems. */
export function extensionsOf(error: LifeboatError): { code: string; field?: string; problems?: FieldProblem[] } {
  return {
    code: error.code,
    ...(error.field ? { field: error.field } : {}),
    ...(error instanceof ValidationError ? { problems: error.problems } : {}),
  };
}

/** A typed Lifeboat error as a GraphQLError, for errors raised outside resolvers (context, WebSocket). */
export function toGraphQLError(error: LifeboatError, httpStatus?: number): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { ...extensionsOf(error), ...(httpStatus ? { http: { status: httpStatus } } : {}) },
  });
}

function pick(formatted: GraphQLFormattedError): Pick<GraphQLFormattedError, 'locations' | 'path'> {
  return { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
}

/**
 * The one place errors are mapped for clients (Apollo's `formatError`, and the WebSocket server):
 * typed service errors keep their code, message, `field` and `problems`; request errors keep
 * theirs; anything else is logged and answered as INTERNAL with a generic message.
 */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown, log: ErrorLogger = consoleErrorLogger): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof LifeboatError && original.code !== 'INTERNAL') {
    return { message: original.message, ...pick(formatted), extensions: extensionsOf(original) };
  }
  if (original instanceof GraphQLError) {
    const code = original.extensions.code;
    if (typeof code === 'string' && CLIENT_ERROR_CODES.has(code)) {
      const { field, problems } = original.extensions;
      return {
        message: formatted.message,
        ...pick(formatted),
        extensions: { code, ...(typeof field === 'string' ? { field } : {}), ...(Array.isArray(problems) ? { problems } : {}) },
      };
    }
  }
  log(`GraphQL ${formatted.path ? `field ${formatted.path.join('.')}` : 'request'} failed`, original);
  return { message: INTERNAL_MESSAGE, ...pick(formatted), extensions: { code: 'INTERNAL' } };
}
