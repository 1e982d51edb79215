import {
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  execute,
  getArgumentValues,
  getDirectiveValues,
  getOperationAST,
  getVariableValues,
  parse,
  validate,
} from 'graphql';
import type { DocumentNode, FieldNode, FragmentDefinitionNode, GraphQLFormattedError, GraphQLSchema, SelectionSetNode, ValidationRule, VariableDefinitionNode } from 'graphql';
import type { FormattedExecutionResult, SubscribePayload } from 'graphql-ws';
import type { GatewayContext } from '../context.js';
import { formatGatewayError } from '../errors.js';
import type { ErrorLogger } from '../errors.js';
import { OPERATION_LIMITS } from '../limits.js';

/** A `subscribe` payload checked against the schema: what to store, and what to give the feed. */
export interface PreparedSubscription {
  document: DocumentNode;
  operationName: string | null;
  /** As the client sent them. */
  variables: Record<string, unknown>;
  /** The one Subscription field it selects. */
  field: string;
  /** That field's arguments, coerced. */
  args: Record<string, unknown>;
}

function coded(errors: readonly GraphQLError[], code: string): GraphQLError[] {
  return errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code } }));
}

const requestError = (message: string, code: string): GraphQLError[] => [new GraphQLError(message, { extensions: { code } })];

/** The root fields an operation selects once @skip/@include are applied, through fragments too. */
function rootFields(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, variables: Record<string, unknown>, found: FieldNode[] = []): FieldNode[] {
  for (const selection of selectionSet.selections) {
    if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) continue;
    if (getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if === false) continue;
    if (selection.kind === Kind.FIELD) found.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) rootFields(selection.selectionSet, fragments, variables, found);
    else {
      const fragment = fragments.get(selection.name.value);
      if (fragment) rootFields(fragment.selectionSet, fragments, variables, found);
    }
  }
  return found;
}

/**
 * Checks a `subscribe` payload as the local WebSocket server does (parse, GraphQL's rules and the
 * operation limits, variables), then that it is a subscription of exactly one root field, whose
 * arguments it coerces. Errors carry a client-facing code (GRAPHQL_PARSE_FAILED, ...).
 */
export function prepareSubscription(schema: GraphQLSchema, rules: readonly ValidationRule[], payload: SubscribePayload): PreparedSubscription | GraphQLError[] {
  let document: DocumentNode;
  try {
    // The token limit the HTTP path sets on its parser.
    document = parse(payload.query, { maxTokens: OPERATION_LIMITS.maxTokens });
  } catch (error) {
    return coded([error instanceof GraphQLError ? error : new GraphQLError('Syntax error')], 'GRAPHQL_PARSE_FAILED');
  }
  const invalid = validate(schema, document, rules);
  if (invalid.length > 0) return coded(invalid, 'GRAPHQL_VALIDATION_FAILED');
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return requestError('Unable to identify the operation to run', 'OPERATION_RESOLUTION_FAILURE');
  if (operation.operation !== 'subscription') {
    return requestError(`Only subscriptions are served over WebSocket; send a ${operation.operation} over HTTP`, 'BAD_REQUEST');
  }
  const subscriptionType = schema.getSubscriptionType();
  if (!subscriptionType) return requestError('The schema has no subscriptions', 'BAD_REQUEST');

  const variables = payload.variables ?? {};
  const coercion = getVariableValuesOf(schema, operation.variableDefinitions ?? [], variables);
  if ('errors' in coercion) return coded(coercion.errors, 'BAD_USER_INPUT');

  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const fields = rootFields(operation.selectionSet, fragments, coercion.coerced);
  const responseKeys = new Set(fields.map((f) => f.alias?.value ?? f.name.value));
  const [fieldNode] = fields;
  if (!fieldNode || responseKeys.size !== 1) return requestError('A subscription selects exactly one root field', 'BAD_REQUEST');
  const fieldDefinition = subscriptionType.getFields()[fieldNode.name.value];
  if (!fieldDefinition) return requestError(`Cannot query field "${fieldNode.name.value}" on type "Subscription"`, 'GRAPHQL_VALIDATION_FAILED');

  let args: Record<string, unknown>;
  try {
    args = { ...getArgumentValues(fieldDefinition, fieldNode, coercion.coerced) };
  } catch (error) {
    return coded([error instanceof GraphQLError ? error : new GraphQLError('Invalid arguments')], 'BAD_USER_INPUT');
  }
  return { document, operationName: operation.name?.value ?? payload.operationName ?? null, variables, field: fieldNode.name.value, args };
}

/** graphql-js's variable coercion, its `coerced` map as a plain object. */
function getVariableValuesOf(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  variables: Record<string, unknown>,
): { coerced: Record<string, unknown> } | { errors: readonly GraphQLError[] } {
  const result = getVariableValues(schema, definitions, variables);
  if (result.errors) return { errors: result.errors };
  return { coerced: { ...result.coerced } };
}

/**
 * Errors as a client may see them (errors.ts): typed Lifeboat and request errors keep code and
 * message; anything else is logged and becomes INTERNAL.
 */
export function formatErrors(errors: readonly GraphQLError[], log: ErrorLogger): GraphQLFormattedError[] {
  return errors.map((error) => formatGatewayError(error.toJSON(), error, log));
}

/** A thrown error (a feed's, a service's) as the payload of an `error` message. */
export function formatThrown(error: unknown, log: ErrorLogger): GraphQLFormattedError[] {
  return [formatGatewayError({ message: error instanceof Error ? error.message : 'Internal error' }, error, log)];
}

/**
 * The `next` payload for one feed payload: the stored operation executed with the payload as its
 * root value (the Subscription field's `resolve` maps it, nested fields resolve as the caller), as
 * graphql-ws does for each event of a subscription.
 */
export async function executeForPayload(
  schema: GraphQLSchema,
  operation: { document: DocumentNode; operationName: string | null; variables: Record<string, unknown> },
  payload: unknown,
  context: GatewayContext,
  log: ErrorLogger,
): Promise<FormattedExecutionResult> {
  const result = await execute({
    schema,
    document: operation.document,
    rootValue: payload,
    contextValue: context,
    variableValues: operation.variables,
    operationName: operation.operationName,
  });
  return {
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.errors ? { errors: formatErrors(result.errors, log) } : {}),
  };
}
