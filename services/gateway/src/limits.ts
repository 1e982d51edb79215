import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { GraphQLArmorConfig } from '@escape.tech/graphql-armor-types';
import { specifiedRules } from 'graphql';
import type { ValidationRule } from 'graphql';

/**
 * What one operation may ask, over HTTP and WebSocket alike (GraphQL Armor). The deepest real
 * query (an execution's waves, servers and checks; a group's verification settings) is 6 levels
 * and the console's largest page about 1,500 tokens: the bounds leave room and refuse bombs before
 * anything runs.
 */
export const OPERATION_LIMITS = {
  maxDepth: 12,
  maxAliases: 15,
  maxDirectives: 20,
  maxTokens: 5_000,
  // Armor's static estimate ignores `first`: the catalog's 1,000-row page with every field is about 43,000.
  maxCost: 100_000,
} as const;

const ARMOR_CONFIG: GraphQLArmorConfig = {
  // Introspection types nest without end: they are the schema's only depth bomb, so they count.
  maxDepth: { n: OPERATION_LIMITS.maxDepth, ignoreIntrospection: false },
  maxAliases: { n: OPERATION_LIMITS.maxAliases },
  maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
  maxTokens: { n: OPERATION_LIMITS.maxTokens },
  costLimit: { maxCost: OPERATION_LIMITS.maxCost },
  // Suggestions ("did you mean ...") would map the schema for someone without introspection.
  blockFieldSuggestion: { enabled: true },
};

/** The Apollo Server options that enforce the limits (plugins, validation rules, no batching). */
export function operationLimits(): ReturnType<ApolloArmor['protect']> {
  return new ApolloArmor(ARMOR_CONFIG).protect();
}

/** GraphQL's own validation rules plus the limits, for paths that validate by themselves (graphql-ws). */
export function validationRulesWithLimits(): ValidationRule[] {
  return [...specifiedRules, ...operationLimits().validationRules];
}
