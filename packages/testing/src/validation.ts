import { ValidationError } from '@lifeboat/service-api';

/** The problems of the ValidationError `thunk` throws (fails when it throws nothing or something else). */
export function validationProblemsOf(thunk: () => unknown): { field: string; message: string }[] {
  try {
    thunk();
  } catch (error) {
    if (error instanceof ValidationError) return error.problems.map(({ field, message }) => ({ field, message }));
    throw error;
  }
  throw new Error('expected a ValidationError');
}
