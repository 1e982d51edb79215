import { ValidationError } from '@lifeboat/service-api';

/** An opaque nextToken for a LastEvaluatedKey (all string attributes). */
export function encodeToken(key: Record<string, unknown> | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key), 'utf8').toString('base64url') : null;
}

/** The LastEvaluatedKey behind a token of the same listing (same key names, same partition). */
export function decodeToken(token: string, names: readonly string[], partition: { name: string; value: string }, operation: string): Record<string, string> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (key === null || typeof key !== 'object' || Array.isArray(key)) throw new ValidationError(`is not a token returned by ${operation}`, 'nextToken');
  const fields = key as Record<string, unknown>;
  const wellFormed = Object.keys(fields).length === names.length && names.every((name) => typeof fields[name] === 'string');
  if (!wellFormed || fields[partition.name] !== partition.value) throw new ValidationError(`is not a token returned by this ${operation} query`, 'nextToken');
  return fields as Record<string, string>;
}
