import { GraphQLScalarType, Kind } from 'graphql';
import type { ObjectValueNode, ValueNode } from 'graphql';

type Variables = Readonly<Record<string, unknown>> | null | undefined;

function literalValue(node: ValueNode, variables: Variables): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((value) => literalValue(value, variables));
    case Kind.OBJECT:
      return objectValue(node, variables);
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

function objectValue(node: ObjectValueNode, variables: Variables): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const field of node.fields) result[field.name.value] = literalValue(field.value, variables);
  return result;
}

/** Any JSON value (event payloads). */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value (event payloads).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (node, variables) => literalValue(node, variables),
});

// RFC 3339 date-time in UTC, as the events carry it (occurredAt ends with Z).
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

function toIsoString(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value))) return value;
  // A plain error: graphql-js reports it as bad input for arguments and as internal for results.
  throw new TypeError(`DateTime must be an ISO-8601 UTC timestamp such as 2025-01-01T12:00:00.000Z, not ${JSON.stringify(value)}`);
}

/** ISO-8601 UTC timestamp, kept as the string the services answer. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'ISO-8601 UTC timestamp.',
  serialize: (value) => toIsoString(value),
  parseValue: (value) => toIsoString(value),
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING) throw new TypeError('DateTime must be a string');
    return toIsoString(node.value);
  },
});
