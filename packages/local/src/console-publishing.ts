/**
 * Publishing the web console on AWS: the built console (packages/web/dist) goes to the platform's
 * private web bucket behind CloudFront, with a `config.json` that points the console at the user
 * pool's hosted sign-in and at the gateway's HTTP and WebSocket APIs (they are on other origins).
 *
 * The core (`consoleConfigFor`, `consoleFilesOf`, `publishConsole`) is pure or works through the
 * two ports below; the AWS SDK adapters are at the end.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CloudFormationClient, paginateListExports } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { DeleteObjectsCommand, PutObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';

/** What the platform and gateway stacks export for the console (`lifeboat-<stage>-<Name>`). */
export interface ConsoleHostingOutputs {
  webBucketName: string;
  webDistributionId: string;
  webUrl: string;
  userPoolDomain: string;
  userPoolClientId: string;
  graphqlUrl: string;
  graphqlWebSocketUrl: string;
}

const EXPORT_NAMES: Record<keyof ConsoleHostingOutputs, string> = {
  webBucketName: 'WebBucketName',
  webDistributionId: 'WebDistributionId',
  webUrl: 'WebUrl',
  userPoolDomain: 'UserPoolDomain',
  userPoolClientId: 'UserPoolClientId',
  graphqlUrl: 'GraphqlUrl',
  graphqlWebSocketUrl: 'GraphqlWebSocketUrl',
};

export class ConsolePublishingError extends Error {
  override readonly name = 'ConsolePublishingError';
}

/** Picks the console's outputs from a stage's CloudFormation exports; names every one missing. */
export function consoleHostingOutputsOf(stage: string, exports: ReadonlyMap<string, string>): ConsoleHostingOutputs {
  const missing: string[] = [];
  const outputs = {} as ConsoleHostingOutputs;
  for (const [field, name] of Object.entries(EXPORT_NAMES) as [keyof ConsoleHostingOutputs, string][]) {
    const value = exports.get(`lifeboat-${stage}-${name}`);
    if (value === undefined || value === '') missing.push(`lifeboat-${stage}-${name}`);
    else outputs[field] = value;
  }
  if (missing.length > 0) {
    throw new ConsolePublishingError(`stage ${stage} is missing the exports ${missing.join(', ')}: deploy the platform and gateway stacks first`);
  }
  return outputs;
}

/** The console's config.json (read by packages/web/src/auth/config.ts): Cognito sign-in and the API URLs. */
export interface PublishedConsoleConfig {
  auth: 'cognito';
  domain: string;
  clientId: string;
  redirectUri: string;
  graphqlUrl: string;
  webSocketUrl: string;
}

export function consoleConfigFor(outputs: ConsoleHostingOutputs): PublishedConsoleConfig {
  return {
    auth: 'cognito',
    domain: outputs.userPoolDomain,
    clientId: outputs.userPoolClientId,
    // The app client's callback URL is the distribution's root with its trailing slash (serverless.yml).
    redirectUri: `${outputs.webUrl.replace(/\/+$/, '')}/`,
    graphqlUrl: outputs.graphqlUrl,
    webSocketUrl: outputs.graphqlWebSocketUrl,
  };
}

export interface ConsoleFile {
  key: string;
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names every file under assets/ after its content hash, so it never changes under its name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and config.json name the current build: browsers and CloudFront must ask again. */
const ALWAYS_REVALIDATE = 'no-cache';
const SHORT = 'public, max-age=300';

function cacheControlOf(key: string): string {
  if (key.startsWith('assets/')) return IMMUTABLE;
  if (key === 'index.html' || key === 'config.json') return ALWAYS_REVALIDATE;
  return SHORT;
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`]))
    .sort();
}

/** The files to upload: the built console plus config.json (a config.json in dist is replaced). */
export function consoleFilesOf(distDir: string, config: PublishedConsoleConfig): ConsoleFile[] {
  if (!fs.existsSync(path.join(distDir, 'index.html'))) {
    throw new ConsolePublishingError(`${distDir} has no index.html: build the console first (npm run build:console)`);
  }
  const built = listFiles(distDir)
    .filter((key) => key !== 'config.json')
    .map((key) => ({
      key,
      body: fs.readFileSync(path.join(distDir, key)),
      contentType: CONTENT_TYPES[path.extname(key).toLowerCase()] ?? 'application/octet-stream',
      cacheControl: cacheControlOf(key),
    }));
  const configFile: ConsoleFile = {
    key: 'config.json',
    body: Buffer.from(`${JSON.stringify(config, null, 2)}\n`),
    contentType: CONTENT_TYPES['.json'] as string,
    cacheControl: cacheControlOf('config.json'),
  };
  return [...built, configFile];
}

/** The web bucket, as publishing needs it. */
export interface ConsoleBucket {
  listKeys(): Promise<string[]>;
  put(file: ConsoleFile): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

/** The CloudFront distribution in front of the bucket. */
export interface ConsoleDistribution {
  /** Answers the invalidation's id. */
  invalidate(paths: readonly string[]): Promise<string>;
}

export interface ConsolePublication {
  uploaded: number;
  uploadedBytes: number;
  deleted: string[];
  keptAssets: number;
  invalidationId: string;
}

/** Files that name the current build; they go up last so no browser gets an index naming missing chunks. */
const ENTRY_POINTS = new Set(['index.html', 'config.json']);

/**
 * Uploads the console, entry points last, then deletes what the build no longer has. Stale files
 * under assets/ are kept: a console open in a browser still loads its lazy page chunks by their
 * old names. Then the entry points are invalidated in CloudFront (hashed assets never need it).
 */
export async function publishConsole(files: readonly ConsoleFile[], bucket: ConsoleBucket, distribution: ConsoleDistribution): Promise<ConsolePublication> {
  const existing = await bucket.listKeys();
  const ordered = [...files.filter((f) => !ENTRY_POINTS.has(f.key)), ...files.filter((f) => ENTRY_POINTS.has(f.key))];
  for (const file of ordered) await bucket.put(file);
  const current = new Set(files.map((f) => f.key));
  const stale = existing.filter((key) => !current.has(key));
  const deleted = stale.filter((key) => !key.startsWith('assets/'));
  if (deleted.length > 0) await bucket.delete(deleted);
  const invalidationId = await distribution.invalidate([...ENTRY_POINTS].map((key) => `/${key}`).concat('/'));
  return {
    uploaded: ordered.length,
    uploadedBytes: ordered.reduce((sum, f) => sum + f.body.length, 0),
    deleted,
    keptAssets: stale.length - deleted.length,
    invalidationId,
  };
}

// ---------------------------------------------------------------- AWS adapters

export async function readStageExports(client: CloudFormationClient): Promise<Map<string, string>> {
  const exports = new Map<string, string>();
  for await (const page of paginateListExports({ client }, {})) {
    for (const entry of page.Exports ?? []) if (entry.Name && entry.Value !== undefined) exports.set(entry.Name, entry.Value);
  }
  return exports;
}

export class S3ConsoleBucket implements ConsoleBucket {
  constructor(
    private readonly client: S3Client,
    private readonly bucketName: string,
  ) {}

  async listKeys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucketName })) {
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    }
    return keys;
  }

  async put(file: ConsoleFile): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucketName, Key: file.key, Body: file.body, ContentType: file.contentType, CacheControl: file.cacheControl }),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    // DeleteObjects takes at most 1,000 keys per call.
    for (let start = 0; start < keys.length; start += 1000) {
      const batch = keys.slice(start, start + 1000);
      const result = await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucketName, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      const failed = result.Errors ?? [];
      if (failed.length > 0) {
        throw new ConsolePublishingError(`could not delete ${failed.map((e) => `${e.Key} (${e.Code})`).join(', ')} from ${this.bucketName}`);
      }
    }
  }
}

export class CloudFrontConsoleDistribution implements ConsoleDistribution {
  constructor(
    private readonly client: CloudFrontClient,
    private readonly distributionId: string,
    private readonly callerReference: () => string = () => `lifeboat-console-${Date.now()}`,
  ) {}

  async invalidate(paths: readonly string[]): Promise<string> {
    const result = await this.client.send(
      new CreateInvalidationCommand({
        DistributionId: this.distributionId,
        InvalidationBatch: { CallerReference: this.callerReference(), Paths: { Quantity: paths.length, Items: [...paths] } },
      }),
    );
    const id = result.Invalidation?.Id;
    if (!id) throw new ConsolePublishingError(`CloudFront answered no invalidation id for ${this.distributionId}`);
    return id;
  }
}

/** Reads the stage's exports, then publishes the built console there. */
export async function publishConsoleToStage(options: { stage: string; region?: string; distDir: string }): Promise<ConsolePublication & { webUrl: string }> {
  const clientConfig = options.region ? { region: options.region } : {};
  const outputs = consoleHostingOutputsOf(options.stage, await readStageExports(new CloudFormationClient(clientConfig)));
  const files = consoleFilesOf(options.distDir, consoleConfigFor(outputs));
  const publication = await publishConsole(
    files,
    new S3ConsoleBucket(new S3Client(clientConfig), outputs.webBucketName),
    // CloudFront is global: its API lives in us-east-1 whatever the stage's region.
    new CloudFrontConsoleDistribution(new CloudFrontClient({ region: 'us-east-1' }), outputs.webDistributionId),
  );
  return { ...publication, webUrl: outputs.webUrl };
}

/** Empties the stage's web bucket (CloudFormation refuses to delete a bucket with objects); answers how many went. */
export async function emptyConsoleBucketOfStage(options: { stage: string; region?: string }): Promise<number> {
  const clientConfig = options.region ? { region: options.region } : {};
  const bucketName = (await readStageExports(new CloudFormationClient(clientConfig))).get(`lifeboat-${options.stage}-WebBucketName`);
  if (!bucketName) return 0;
  const bucket = new S3ConsoleBucket(new S3Client(clientConfig), bucketName);
  const keys = await bucket.listKeys();
  if (keys.length > 0) await bucket.delete(keys);
  return keys.length;
}
