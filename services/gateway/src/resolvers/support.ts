import { LifeboatError, NotFoundError, ValidationError } from '@lifeboat/service-api';
import type { GatewayContext } from '../context.js';

/** A field resolver of graphql/schema.graphql. */
export type Resolver<TArgs, TResult = unknown> = (parent: unknown, args: TArgs, context: GatewayContext) => Promise<TResult> | TResult;

/** `null` for a NOT_FOUND answer, for the nullable lookups of the schema. */
export async function orNull<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

/**
 * A service error with its fields named as the client knows them: a service names an input
 * `planId` or `limit` where the schema says `id` or `first`. Only whole field names are renamed
 * (`planId`, never `waves[0].planId`); the message of a ValidationError is rebuilt from its problems.
 */
export function renameFields(error: unknown, names: Readonly<Record<string, string>>): unknown {
  if (error instanceof ValidationError) {
    return new ValidationError(error.problems.map((p) => ({ ...p, field: names[p.field] ?? p.field })));
  }
  if (error instanceof LifeboatError && error.field && names[error.field]) {
    const Kind = error.constructor as new (message: string, field?: string, options?: { cause?: unknown }) => LifeboatError;
    return new Kind(error.message, names[error.field], { cause: error });
  }
  return error;
}

/** Runs a service call, renaming the fields of its error (see renameFields). */
export async function withFieldNames<T>(names: Readonly<Record<string, string>>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw renameFields(error, names);
  }
}
