import http from 'node:http';

/** A DynamoDB AttributeValue map in DynamoDB JSON. */
export type AttributeMap = Record<string, AttributeValue>;
/** One DynamoDB JSON value: exactly one member is set. */
export interface AttributeValue {
  S?: string;
  N?: string;
  B?: string;
  BOOL?: boolean;
  NULL?: true;
  SS?: string[];
  NS?: string[];
  BS?: string[];
  L?: AttributeValue[];
  M?: AttributeMap;
}

export interface WireResponse {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Calls a DynamoDB-protocol endpoint (dynalite) with one operation. */
export function callDynamo(port: number, operation: string, input: unknown): Promise<WireResponse> {
  const body = JSON.stringify(input);
  return forward(port, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `DynamoDB_20120810.${operation}`,
    // dynalite only checks that a SigV4-looking header is present.
    'x-amz-date': '20260101T000000Z',
    authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  }, body);
}

export function forward(port: number, headers: http.OutgoingHttpHeaders, body: string): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, agent: keepAlive },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 500, body: Buffer.concat(chunks).toString('utf8'), headers: response.headers }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function errorType(response: WireResponse): string | undefined {
  if (response.status < 400) return undefined;
  try {
    const type = (JSON.parse(response.body) as { __type?: string }).__type ?? '';
    return type.slice(type.lastIndexOf('#') + 1);
  } catch {
    return 'UnknownError';
  }
}

export function dynamoError(type: string, message: string, extra: Record<string, unknown> = {}): WireResponse {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message, ...extra }),
  };
}

/** A stable JSON text of an item (attribute order independent). */
export function canonicalItem(item: AttributeMap | undefined): string {
  return JSON.stringify(item ?? null, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
}
