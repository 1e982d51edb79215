/** Reads a required environment variable once, naming it when it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/** A lazily read, cached environment variable (Lambda modules load before env is checked). */
export function envGetter(name: string): () => string {
  let value: string | undefined;
  return () => (value ??= requiredEnv(name));
}
