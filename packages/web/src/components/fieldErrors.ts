/** Puts a BAD_USER_INPUT's problems next to the form fields they name. */
import type { ConsoleError } from '../api/client.js';

/**
 * The messages of the problems at `field` or below it (`regions` also takes `regions[1]`,
 * `tags` takes `tags.App`), joined; undefined when there are none.
 */
export function fieldError(error: ConsoleError | undefined, field: string): string | undefined {
  if (!error || error.code !== 'BAD_USER_INPUT') return undefined;
  const problems = error.problems && error.problems.length > 0 ? error.problems : error.field ? [{ field: error.field, message: error.message }] : [];
  const matching = problems.filter((p) => p.field === field || p.field.startsWith(`${field}[`) || p.field.startsWith(`${field}.`));
  return matching.length > 0 ? matching.map((p) => p.message).join(' ') : undefined;
}

/** Whether every problem of an error is placed at one of these fields (so the form need not repeat them). */
export function allProblemsPlaced(error: ConsoleError | undefined, fields: string[]): boolean {
  if (!error || error.code !== 'BAD_USER_INPUT') return false;
  const problems = error.problems && error.problems.length > 0 ? error.problems : error.field ? [{ field: error.field, message: error.message }] : [];
  return problems.length > 0 && problems.every((p) => fields.some((f) => p.field === f || p.field.startsWith(`${f}[`) || p.field.startsWith(`${f}.`)));
}
