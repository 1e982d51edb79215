/**
 * The console's deployment settings, from `/config.json` next to index.html. Locally there is no
 * such file (the local stack answers index.html for unknown paths), which means local sign-in.
 */
export type ConsoleConfig =
  | { auth: 'local'; graphqlUrl?: string; webSocketUrl?: string }
  | { auth: 'cognito'; domain: string; clientId: string; redirectUri: string; graphqlUrl?: string; webSocketUrl?: string };

function optionalUrl(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new Error(`config.json: ${name} must be a non-empty string`);
  return value;
}

/** Parses config.json's content; anything that is not a JSON object means local mode. */
export function parseConsoleConfig(text: string): ConsoleConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { auth: 'local' };
  }
  if (typeof raw !== 'object' || raw === null) return { auth: 'local' };
  const record = raw as Record<string, unknown>;
  const urls = {
    ...(optionalUrl(record.graphqlUrl, 'graphqlUrl') !== undefined ? { graphqlUrl: record.graphqlUrl as string } : {}),
    ...(optionalUrl(record.webSocketUrl, 'webSocketUrl') !== undefined ? { webSocketUrl: record.webSocketUrl as string } : {}),
  };
  if (record.auth === 'cognito') {
    const domain = optionalUrl(record.domain, 'domain');
    const clientId = optionalUrl(record.clientId, 'clientId');
    const redirectUri = optionalUrl(record.redirectUri, 'redirectUri');
    if (!domain || !clientId || !redirectUri) throw new Error('config.json: auth "cognito" needs domain, clientId and redirectUri');
    return { auth: 'cognito', domain, clientId, redirectUri, ...urls };
  }
  return { auth: 'local', ...urls };
}

export async function loadConsoleConfig(): Promise<ConsoleConfig> {
  const response = await fetch('/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) return { auth: 'local' };
  return parseConsoleConfig(await response.text());
}
