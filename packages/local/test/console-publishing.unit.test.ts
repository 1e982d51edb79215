import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudFormationClient, ListExportsCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { stubClient } from '@lifeboat/testing';
import {
  CloudFrontConsoleDistribution,
  ConsolePublishingError,
  S3ConsoleBucket,
  consoleConfigFor,
  consoleFilesOf,
  consoleHostingOutputsOf,
  publishConsole,
  readStageExports,
} from '../src/console-publishing.js';
import type { ConsoleBucket, ConsoleFile, ConsoleHostingOutputs } from '../src/console-publishing.js';
import { parseConsoleConfig } from '../../web/src/auth/config.js';

const OUTPUTS: ConsoleHostingOutputs = {
  webBucketName: 'lifeboat-platform-dev-webbucket-1abc',
  webDistributionId: 'E2EXAMPLE',
  webUrl: 'https://d111111abcdef8.cloudfront.net',
  userPoolDomain: 'lifeboat-dev-123456789012.auth.eu-west-1.amazoncognito.com',
  userPoolClientId: '4example7client',
  graphqlUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/graphql',
  graphqlWebSocketUrl: 'wss://def456.execute-api.eu-west-1.amazonaws.com/dev',
};

function exportsOf(stage: string, outputs: Partial<ConsoleHostingOutputs>): Map<string, string> {
  const names: Record<keyof ConsoleHostingOutputs, string> = {
    webBucketName: 'WebBucketName',
    webDistributionId: 'WebDistributionId',
    webUrl: 'WebUrl',
    userPoolDomain: 'UserPoolDomain',
    userPoolClientId: 'UserPoolClientId',
    graphqlUrl: 'GraphqlUrl',
    graphqlWebSocketUrl: 'GraphqlWebSocketUrl',
  };
  return new Map(Object.entries(outputs).map(([field, value]) => [`lifeboat-${stage}-${names[field as keyof ConsoleHostingOutputs]}`, value as string]));
}

function builtConsole(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-console-dist-'));
  for (const [key, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
    fs.writeFileSync(path.join(dir, key), content);
  }
  return dir;
}

class RecordingBucket implements ConsoleBucket {
  readonly puts: string[] = [];
  readonly deletions: string[][] = [];
  constructor(private readonly keys: string[]) {}
  async listKeys(): Promise<string[]> {
    return [...this.keys];
  }
  async put(file: ConsoleFile): Promise<void> {
    this.puts.push(file.key);
  }
  async delete(keys: readonly string[]): Promise<void> {
    this.deletions.push([...keys]);
  }
}

describe('the console hosting outputs of a stage', () => {
  it('are read from the lifeboat-<stage>-<Name> exports', () => {
    expect(consoleHostingOutputsOf('dev', exportsOf('dev', OUTPUTS))).toEqual(OUTPUTS);
  });

  it('name every export missing, and why (the stacks are not deployed)', () => {
    // given a stage whose gateway stack is not deployed
    const { graphqlUrl: _http, graphqlWebSocketUrl: _ws, ...platformOnly } = OUTPUTS;
    // when / then
    expect(() => consoleHostingOutputsOf('dev', exportsOf('dev', platformOnly))).toThrow(
      new ConsolePublishingError('stage dev is missing the exports lifeboat-dev-GraphqlUrl, lifeboat-dev-GraphqlWebSocketUrl: deploy the platform and gateway stacks first'),
    );
  });

  it('are not taken from another stage', () => {
    expect(() => consoleHostingOutputsOf('prod', exportsOf('dev', OUTPUTS))).toThrow(/lifeboat-prod-WebBucketName/);
  });
});

describe("the console's config.json", () => {
  it('is what the console reads as Cognito sign-in with the APIs on their own origins', () => {
    // given the stage's outputs, when the config is written
    const config = consoleConfigFor({ ...OUTPUTS, webUrl: `${OUTPUTS.webUrl}/` });
    // then the console's own parser reads it as such
    expect(parseConsoleConfig(JSON.stringify(config))).toEqual({
      auth: 'cognito',
      domain: OUTPUTS.userPoolDomain,
      clientId: OUTPUTS.userPoolClientId,
      redirectUri: 'https://d111111abcdef8.cloudfront.net/',
      graphqlUrl: OUTPUTS.graphqlUrl,
      webSocketUrl: OUTPUTS.graphqlWebSocketUrl,
    });
  });
});

describe('the files of a built console', () => {
  it('carry their content type, never-changing hashed assets and always-revalidated entry points', () => {
    // given a build with a stale config.json of its own
    const dist = builtConsole({
      'index.html': '<!doctype html>',
      'assets/index-Ab12Cd.js': 'export {}',
      'assets/index-Ef34Gh.css': 'body{}',
      'favicon.svg': '<svg/>',
      'config.json': '{"auth":"local"}',
    });
    // when
    const files = consoleFilesOf(dist, consoleConfigFor(OUTPUTS));
    // then
    expect(files.map((f) => [f.key, f.contentType, f.cacheControl])).toEqual([
      ['assets/index-Ab12Cd.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['assets/index-Ef34Gh.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['favicon.svg', 'image/svg+xml', 'public, max-age=300'],
      ['index.html', 'text/html; charset=utf-8', 'no-cache'],
      ['config.json', 'application/json; charset=utf-8', 'no-cache'],
    ]);
    const config = files.find((f) => f.key === 'config.json') as ConsoleFile;
    expect(JSON.parse(config.body.toString('utf8'))).toMatchObject({ auth: 'cognito', clientId: OUTPUTS.userPoolClientId });
  });

  it('need a build first', () => {
    const empty = builtConsole({});
    expect(() => consoleFilesOf(empty, consoleConfigFor(OUTPUTS))).toThrow(/has no index.html: build the console first/);
  });
});

describe('publishing the console', () => {
  const files = (keys: string[]): ConsoleFile[] => keys.map((key) => ({ key, body: Buffer.from(key), contentType: 'text/plain', cacheControl: 'no-cache' }));

  it('uploads the entry points last, deletes what the build dropped but keeps earlier hashed assets, and invalidates the entry points', async () => {
    // given a bucket holding an earlier build
    const bucket = new RecordingBucket(['index.html', 'config.json', 'assets/index-OLD.js', 'assets/Page-OLD.js', 'robots.txt']);
    const invalidated: string[][] = [];
    // when the new build is published
    const publication = await publishConsole(files(['index.html', 'config.json', 'assets/index-NEW.js', 'favicon.svg']), bucket, {
      invalidate: async (paths) => {
        invalidated.push([...paths]);
        return 'I2EXAMPLE';
      },
    });
    // then
    expect(bucket.puts).toEqual(['assets/index-NEW.js', 'favicon.svg', 'index.html', 'config.json']);
    expect(bucket.deletions).toEqual([['robots.txt']]);
    expect(invalidated).toEqual([['/index.html', '/config.json', '/']]);
    expect(publication).toEqual({ uploaded: 4, uploadedBytes: 'index.htmlconfig.jsonassets/index-NEW.jsfavicon.svg'.length, deleted: ['robots.txt'], keptAssets: 2, invalidationId: 'I2EXAMPLE' });
  });

  it('deletes nothing into an empty bucket', async () => {
    const bucket = new RecordingBucket([]);
    await publishConsole(files(['index.html', 'config.json']), bucket, { invalidate: async () => 'I1' });
    expect(bucket.deletions).toEqual([]);
  });
});

describe('the AWS adapters', () => {
  it('read every page of the exports', async () => {
    const cloudFormation = stubClient(CloudFormationClient);
    cloudFormation.on(ListExportsCommand).callsFake((input) =>
      input.NextToken === 'page-2'
        ? { Exports: [{ Name: 'lifeboat-dev-WebBucketName', Value: OUTPUTS.webBucketName }] }
        : { Exports: [{ Name: 'lifeboat-dev-WebUrl', Value: OUTPUTS.webUrl }], NextToken: 'page-2' },
    );
    const exports = await readStageExports(new CloudFormationClient({ region: 'eu-west-1' }));
    expect([...exports.keys()]).toEqual(['lifeboat-dev-WebUrl', 'lifeboat-dev-WebBucketName']);
    cloudFormation.restore();
  });

  it('list, put and delete in the bucket (at most 1,000 keys per DeleteObjects), and report a key S3 would not delete', async () => {
    const s3 = stubClient(S3Client);
    s3.on(ListObjectsV2Command).callsFake((input) =>
      input.ContinuationToken === 'next'
        ? { Contents: [{ Key: 'assets/a.js' }], IsTruncated: false }
        : { Contents: [{ Key: 'index.html' }], IsTruncated: true, NextContinuationToken: 'next' },
    );
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
    const bucket = new S3ConsoleBucket(new S3Client({ region: 'eu-west-1' }), 'web');

    expect(await bucket.listKeys()).toEqual(['index.html', 'assets/a.js']);

    await bucket.put({ key: 'index.html', body: Buffer.from('<!doctype html>'), contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'web', Key: 'index.html', ContentType: 'text/html; charset=utf-8', CacheControl: 'no-cache' });

    await bucket.delete(Array.from({ length: 1001 }, (_, i) => `old-${i}`));
    expect(s3.commandCalls(DeleteObjectsCommand).map((call) => call.args[0].input.Delete?.Objects?.length)).toEqual([1000, 1]);

    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'locked.txt', Code: 'AccessDenied' }] });
    await expect(bucket.delete(['locked.txt'])).rejects.toThrow('could not delete locked.txt (AccessDenied) from web');
    s3.restore();
  });

  it('invalidate the entry points in CloudFront', async () => {
    const cloudFront = stubClient(CloudFrontClient);
    cloudFront.on(CreateInvalidationCommand).resolves({ Invalidation: { Id: 'I2EXAMPLE', Status: 'InProgress', CreateTime: new Date(), InvalidationBatch: undefined } });
    const distribution = new CloudFrontConsoleDistribution(new CloudFrontClient({ region: 'us-east-1' }), 'E2EXAMPLE', () => 'ref-1');
    expect(await distribution.invalidate(['/index.html', '/config.json'])).toBe('I2EXAMPLE');
    expect(cloudFront.commandCalls(CreateInvalidationCommand)[0]?.args[0].input).toEqual({
      DistributionId: 'E2EXAMPLE',
      InvalidationBatch: { CallerReference: 'ref-1', Paths: { Quantity: 2, Items: ['/index.html', '/config.json'] } },
    });
    cloudFront.restore();
  });
});
