/**
 * `serverless package` of the platform stack (root serverless.yml) and of every
 * services/<name>/serverless.yml, offline, asserting on the CloudFormation it generates
 * (ARCHITECTURE §6): the bus, its archive and the exports; for each service, that every
 * `eventBridge` event of its functions became a rule with the same pattern on the right bus (with
 * retries, a dead-letter queue and a permission EventBridge can use), that its tables are there,
 * that every Lambda runs nodejs22.x and that it imports only what the platform stack exports.
 *
 * Services are discovered: a new services/<name>/serverless.yml is tested without touching this file.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';
import { ROLES } from '../../packages/service-api/src/roles.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SERVERLESS_CLI = join(ROOT, 'node_modules/osls/bin/serverless.js');
const STAGE = 'ci';
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const PACKAGE_TIMEOUT_MS = 120_000;
const PARALLEL_PACKAGES = 2;

// ---------------------------------------------------------------- CloudFormation and serverless.yml shapes

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}
interface EventBridgeEventConfig {
  eventBus?: unknown;
  pattern?: unknown;
  schedule?: string;
  name?: string;
  retryPolicy?: unknown;
  deadLetterQueueArn?: unknown;
}
interface SqsEventConfig {
  arn?: unknown;
  batchSize?: number;
  maximumBatchingWindow?: number;
  functionResponseType?: string;
}
interface FunctionConfig {
  handler?: string;
  name?: string;
  events?: Record<string, unknown>[];
}
interface ServerlessConfig {
  service: string;
  provider?: { runtime?: string };
  functions?: Record<string, FunctionConfig>;
  resources?: { Resources?: Record<string, CfnResource> };
}
interface RuleTarget {
  Arn?: unknown;
  RetryPolicy?: { MaximumEventAgeInSeconds?: number; MaximumRetryAttempts?: number };
  DeadLetterConfig?: { Arn?: unknown };
}

// ---------------------------------------------------------------- reading serverless.yml

/** CloudFormation short forms (`!Ref X`, `!GetAtt A.B`, `!Sub [...]`, ...) as their long forms. */
function cloudFormationTags(): (ScalarTag | CollectionTag)[] {
  const fns = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or'];
  const tags: (ScalarTag | CollectionTag)[] = [
    { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
    { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  ];
  for (const fn of fns) {
    const key = `Fn::${fn}`;
    tags.push({ tag: `!${fn}`, resolve: (value: string) => ({ [key]: fn === 'GetAtt' ? value.split('.') : value }) });
    tags.push({ tag: `!${fn}`, collection: 'seq', resolve: (value) => ({ [key]: value.toJSON() }) });
    tags.push({ tag: `!${fn}`, collection: 'map', resolve: (value) => ({ [key]: value.toJSON() }) });
  }
  return tags;
}

function readServerlessYml(file: string): ServerlessConfig {
  return parse(readFileSync(file, 'utf8'), { customTags: cloudFormationTags() }) as ServerlessConfig;
}

function lookup(document: unknown, path: string): unknown {
  let node = document;
  for (const key of path.split('.')) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

/**
 * Resolves the framework variables a test can know offline: stage, region, `self:` references,
 * `env:` with defaults. Anything else is left as it is, so a comparison that depends on it fails
 * visibly.
 */
function resolveVariables(value: unknown, document: unknown, depth = 0): unknown {
  if (depth > 10) return value;
  if (Array.isArray(value)) return value.map((item) => resolveVariables(item, document, depth));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveVariables(v, document, depth)]));
  if (typeof value !== 'string') return value;
  const resolveOne = (expression: string): unknown => {
    const [source = '', fallback] = expression.split(/,(.*)/s).map((part) => part.trim());
    const unquoted = fallback?.replace(/^['"]|['"]$/g, '');
    if (source === 'sls:stage' || source === 'opt:stage' || source === 'self:provider.stage') return STAGE;
    if (source === 'opt:region' || source === 'aws:region' || source === 'self:provider.region') return REGION;
    if (source.startsWith('self:')) return resolveVariables(lookup(document, source.slice(5)), document, depth + 1) ?? unquoted;
    if (source.startsWith('env:')) return process.env[source.slice(4)] ?? unquoted;
    return undefined;
  };
  const whole = /^\$\{([^{}]+)\}$/.exec(value);
  if (whole?.[1]) {
    const resolved = resolveOne(whole[1]);
    if (resolved !== undefined && typeof resolved !== 'string') return resolved;
  }
  const replaced = value.replace(/\$\{([^{}]+)\}/g, (match, expression: string) => {
    const resolved = resolveOne(expression);
    return typeof resolved === 'string' || typeof resolved === 'number' ? String(resolved) : match;
  });
  return replaced === value ? value : resolveVariables(replaced, document, depth + 1);
}

/** The framework's logical id of a function's AWS::Lambda::Function (osls naming). */
function lambdaLogicalId(functionName: string): string {
  const normalized = functionName.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

/** Renders an ARN built with Fn::Join / Fn::Sub / pseudo parameters, for comparing with the expected text. */
function renderArn(value: unknown): string {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (typeof node.Ref === 'string') return pseudo[node.Ref] ?? `<Ref ${node.Ref}>`;
  if (Array.isArray(node['Fn::Join'])) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(renderArn).join(separator);
  }
  // The platform stack exports the bus name as lifeboat-<stage>-EventBusName (checked above).
  if (node['Fn::ImportValue'] === `lifeboat-${STAGE}-EventBusName`) return `lifeboat-${STAGE}`;
  if (typeof node['Fn::Sub'] === 'string') return node['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (match, name: string) => pseudo[name] ?? match);
  return JSON.stringify(value);
}

// ---------------------------------------------------------------- packaging

interface Stack {
  /** `platform` or the service folder name. */
  name: string;
  dir: string;
  config: ServerlessConfig;
}

interface Packaged {
  exitCode: number;
  output: string;
  template?: CfnTemplate;
}

const serviceNames = existsSync(join(ROOT, 'services')) ? readdirSync(join(ROOT, 'services'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort() : [];
const servicesWithoutYml = serviceNames.filter((name) => !existsSync(join(ROOT, 'services', name, 'serverless.yml')));
const services: Stack[] = serviceNames
  .filter((name) => existsSync(join(ROOT, 'services', name, 'serverless.yml')))
  .map((name) => ({ name, dir: join(ROOT, 'services', name), config: readServerlessYml(join(ROOT, 'services', name, 'serverless.yml')) }));
const platform: Stack = { name: 'platform', dir: ROOT, config: readServerlessYml(join(ROOT, 'serverless.yml')) };
const stacks = [platform, ...services];

const outputDirs: string[] = [];
const packaged = new Map<string, Packaged>();

function packageStack(stack: Stack): Promise<Packaged> {
  const out = mkdtempSync(join(tmpdir(), `lifeboat-package-${stack.name}-`));
  outputDirs.push(out);
  return new Promise((done) => {
    execFile(
      process.execPath,
      [SERVERLESS_CLI, 'package', '--stage', STAGE, '--region', REGION, '--package', out],
      { cwd: stack.dir, timeout: PACKAGE_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', FORCE_COLOR: '0' } },
      (error, stdout, stderr) => {
        const output = `${stdout}\n${stderr}`.trim();
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const file = join(out, 'cloudformation-template-update-stack.json');
        const template = exitCode === 0 && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate) : undefined;
        done({ exitCode, output: error?.killed ? `timed out after ${PACKAGE_TIMEOUT_MS} ms\n${output}` : output, template });
      },
    );
  });
}

beforeAll(async () => {
  const queue = [...stacks];
  const worker = async (): Promise<void> => {
    for (let stack = queue.shift(); stack; stack = queue.shift()) packaged.set(stack.name, await packageStack(stack));
  };
  await Promise.all(Array.from({ length: PARALLEL_PACKAGES }, worker));
}, PACKAGE_TIMEOUT_MS * Math.ceil(stacks.length / PARALLEL_PACKAGES) + 30_000);

afterAll(() => {
  for (const dir of outputDirs) rmSync(dir, { recursive: true, force: true });
});

/** The generated template of a stack; fails (with the CLI's output) when packaging failed. */
function templateOf(stack: Stack): CfnTemplate {
  const result = packaged.get(stack.name);
  if (!result?.template) throw new Error(`serverless package of ${stack.name} failed (exit ${result?.exitCode ?? '?'}):\n${result?.output ?? 'not run'}`);
  return result.template;
}

function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function exportsOf(template: CfnTemplate): Map<string, unknown> {
  return new Map(Object.values(template.Outputs ?? {}).filter((output) => output.Export).map((output) => [String(output.Export?.Name), output.Value]));
}

function importsOf(value: unknown, found: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const item of value) importsOf(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'Fn::ImportValue') found.push(item);
      else importsOf(item, found);
    }
  }
  return found;
}

// ---------------------------------------------------------------- every stack

describe.each(stacks.map((stack) => [stack.name === 'platform' ? 'serverless.yml (platform)' : `services/${stack.name}/serverless.yml`, stack] as const))('%s', (_label, stack) => {
  it('packages offline with --stage ci', () => {
    const result = packaged.get(stack.name);
    expect({ exitCode: result?.exitCode, output: result?.exitCode === 0 ? '' : result?.output }).toEqual({ exitCode: 0, output: '' });
    expect(result?.template?.Resources).toBeDefined();
  });

  it('runs every Lambda function on nodejs22.x', () => {
    expect(stack.config.provider?.runtime).toBe('nodejs22.x');
    for (const [id, fn] of resourcesOfType(templateOf(stack), 'AWS::Lambda::Function')) expect({ id, runtime: fn.Properties?.Runtime }).toEqual({ id, runtime: 'nodejs22.x' });
  });
});

// ---------------------------------------------------------------- the platform stack

describe('the platform stack', () => {
  it('is the service lifeboat-platform', () => {
    expect(platform.config.service).toBe('lifeboat-platform');
  });

  it('creates the bus lifeboat-ci and exports its ARN and name', () => {
    const template = templateOf(platform);
    const buses = resourcesOfType(template, 'AWS::Events::EventBus');
    expect(buses.map(([, bus]) => bus.Properties?.Name)).toEqual(['lifeboat-ci']);
    const [busId] = buses[0] ?? [];
    const exported = exportsOf(template);
    expect(exported.get('lifeboat-ci-EventBusArn')).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(exported.get('lifeboat-ci-EventBusName')).toEqual({ Ref: busId });
  });

  it('archives every event of the bus for a configured retention', () => {
    const template = templateOf(platform);
    const [busId] = resourcesOfType(template, 'AWS::Events::EventBus')[0] ?? [];
    const archives = resourcesOfType(template, 'AWS::Events::Archive');
    expect(archives).toHaveLength(1);
    const archive = archives[0]?.[1].Properties ?? {};
    expect(archive.SourceArn).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(archive.EventPattern).toBeUndefined();
    expect(Number(archive.RetentionDays)).toBeGreaterThan(0);
  });

  it('has a Cognito user pool with one group per role and an app client, exported', () => {
    const template = templateOf(platform);
    const pools = resourcesOfType(template, 'AWS::Cognito::UserPool');
    expect(pools).toHaveLength(1);
    const [poolId] = pools[0] ?? [];
    const groups = resourcesOfType(template, 'AWS::Cognito::UserPoolGroup');
    expect(groups.map(([, group]) => group.Properties?.GroupName).sort()).toEqual([...ROLES].sort());
    for (const [, group] of groups) expect(group.Properties?.UserPoolId).toEqual({ Ref: poolId });
    const clients = resourcesOfType(template, 'AWS::Cognito::UserPoolClient');
    expect(clients.length).toBeGreaterThanOrEqual(1);
    const [clientId, client] = clients[0] ?? [];
    expect(client?.Properties?.UserPoolId).toEqual({ Ref: poolId });
    expect(client?.Properties?.GenerateSecret).not.toBe(true);
    const exported = exportsOf(template);
    expect(exported.get('lifeboat-ci-UserPoolId')).toEqual({ Ref: poolId });
    expect(exported.get('lifeboat-ci-UserPoolClientId')).toEqual({ Ref: clientId });
  });

  it('serves the web UI from a private bucket through CloudFront with origin access control', () => {
    const template = templateOf(platform);
    const buckets = resourcesOfType(template, 'AWS::S3::Bucket').filter(([id]) => id !== 'ServerlessDeploymentBucket');
    expect(buckets).toHaveLength(1);
    const [bucketId, bucket] = buckets[0] ?? [];
    expect(bucket?.Properties?.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });

    const [oacId] = resourcesOfType(template, 'AWS::CloudFront::OriginAccessControl')[0] ?? [];
    expect(oacId).toBeDefined();
    const distributions = resourcesOfType(template, 'AWS::CloudFront::Distribution');
    expect(distributions).toHaveLength(1);
    const [distributionId, distribution] = distributions[0] ?? [];
    const config = distribution?.Properties?.DistributionConfig as { Origins: { DomainName: unknown; OriginAccessControlId: unknown }[]; DefaultCacheBehavior: { ViewerProtocolPolicy: string } };
    expect(config.Origins).toEqual([expect.objectContaining({ DomainName: { 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] }, OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] } })]);
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');

    const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(([, policy]) => JSON.stringify(policy.Properties?.Bucket) === JSON.stringify({ Ref: bucketId }));
    expect(policies).toHaveLength(1);
    const statements = (policies[0]?.[1].Properties?.PolicyDocument as { Statement: { Effect: string; Principal: unknown; Action: unknown; Condition?: unknown }[] }).Statement;
    const read = statements.find((s) => s.Effect === 'Allow');
    expect(read).toEqual(expect.objectContaining({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }));
    // Only this distribution may read, not any CloudFront distribution.
    expect(JSON.stringify(read?.Condition)).toContain(`distribution/\${${distributionId}}`);

    const exported = exportsOf(template);
    expect(exported.get('lifeboat-ci-WebBucketName')).toEqual({ Ref: bucketId });
    expect(exported.get('lifeboat-ci-WebDistributionId')).toEqual({ Ref: distributionId });
  });
});

// ---------------------------------------------------------------- each service

describe('services', () => {
  it('each deploy with their own serverless.yml', () => {
    expect(servicesWithoutYml).toEqual([]);
  });
});

describe.each(services.map((service) => [service.name, service] as const))('services/%s', (name, service) => {
  const functions = Object.entries(service.config.functions ?? {});

  it(`is the service lifeboat-${name} and imports only exports of the platform stack`, () => {
    expect(service.config.service).toBe(`lifeboat-${name}`);
    const platformExports = [...exportsOf(templateOf(platform)).keys()];
    for (const imported of importsOf(templateOf(service).Resources)) expect({ imported, exportedByPlatform: platformExports.includes(String(imported)) }).toEqual({ imported, exportedByPlatform: true });
  });

  it('has a Lambda function for each function of its serverless.yml', () => {
    const template = templateOf(service);
    for (const [fnName] of functions) expect({ fnName, type: template.Resources[lambdaLogicalId(fnName)]?.Type }).toEqual({ fnName, type: 'AWS::Lambda::Function' });
  });

  const eventBridgeEvents = functions.flatMap(([fnName, fn]) =>
    (fn.events ?? []).filter((event) => 'eventBridge' in event).map((event, index) => [`${fnName} eventBridge #${index + 1}`, fnName, resolveVariables(event.eventBridge, service.config) as EventBridgeEventConfig] as const),
  );

  if (eventBridgeEvents.length > 0) {
    it.each(eventBridgeEvents)('%s has its rule: same pattern, right bus, retries, dead-letter queue, invoke permission', (_label, fnName, event) => {
      const template = templateOf(service);
      const functionId = lambdaLogicalId(fnName);
      const targetsFunction = (target: RuleTarget): boolean => JSON.stringify(target.Arn) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] });
      const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) => ((rule.Properties?.Targets as RuleTarget[] | undefined) ?? []).some(targetsFunction));
      const matching = rules.filter(([, rule]) =>
        event.pattern !== undefined ? JSON.stringify(rule.Properties?.EventPattern) === JSON.stringify(event.pattern) : rule.Properties?.ScheduleExpression === event.schedule,
      );
      expect({ pattern: event.pattern ?? event.schedule, rules: matching.length }).toEqual({ pattern: event.pattern ?? event.schedule, rules: 1 });
      const [ruleId, rule] = matching[0] ?? [];
      expect(rule?.Properties?.EventPattern).toEqual(event.pattern);

      // The bus: the one named in serverless.yml; Lifeboat events on the Lifeboat bus, AWS events on the default bus.
      const busName = rule?.Properties?.EventBusName;
      if (event.eventBus === undefined || event.eventBus === 'default') expect(busName).toBeUndefined();
      else if (typeof event.eventBus === 'string' && event.eventBus.startsWith('arn:')) expect(busName).toBe(event.eventBus.slice(event.eventBus.indexOf('/') + 1));
      else expect(busName).toEqual(event.eventBus);
      const sources = (event.pattern as { source?: unknown } | undefined)?.source;
      const sourceList = Array.isArray(sources) ? sources.map(String) : [];
      if (sourceList.length > 0 && sourceList.every((source) => source.startsWith('lifeboat.'))) expect(busName).toEqual({ 'Fn::ImportValue': `lifeboat-${STAGE}-EventBusName` });
      if (sourceList.length > 0 && sourceList.every((source) => source.startsWith('aws.'))) expect(busName).toBeUndefined();

      // Conventions: every rule has a retry policy and a dead-letter queue.
      const target = ((rule?.Properties?.Targets as RuleTarget[] | undefined) ?? []).find(targetsFunction);
      expect(target?.RetryPolicy).toEqual(expect.objectContaining({ MaximumRetryAttempts: expect.any(Number) }));
      expect(target?.DeadLetterConfig?.Arn).toBeDefined();

      // EventBridge may invoke the function from exactly this rule (the ARN of a rule on a custom bus is rule/<bus>/<rule>).
      const ruleName = String(rule?.Properties?.Name);
      const expectedArn = busName === undefined ? `arn:aws:events:${REGION}:${ACCOUNT}:rule/${ruleName}` : `arn:aws:events:${REGION}:${ACCOUNT}:rule/lifeboat-${STAGE}/${ruleName}`;
      const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(
        ([, permission]) => permission.Properties?.Principal === 'events.amazonaws.com' && JSON.stringify(permission.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] }),
      );
      const sourceArns = permissions.map(([, permission]) => {
        const arn = permission.Properties?.SourceArn;
        return JSON.stringify(arn) === JSON.stringify({ 'Fn::GetAtt': [ruleId, 'Arn'] }) ? expectedArn : renderArn(arn);
      });
      expect(sourceArns).toContain(expectedArn);
    });
  } else {
    it('has no eventBridge events (nothing to match)', () => {
      expect(resourcesOfType(templateOf(service), 'AWS::Events::Rule').filter(([, rule]) => rule.Properties?.EventPattern !== undefined)).toEqual([]);
    });
  }

  const sqsEvents = functions.flatMap(([fnName, fn]) =>
    (fn.events ?? []).filter((event) => 'sqs' in event).map((event, index) => [`${fnName} sqs #${index + 1}`, fnName, resolveVariables(event.sqs, service.config) as SqsEventConfig] as const),
  );
  if (sqsEvents.length > 0) {
    it.each(sqsEvents)('%s: its queue is fed by a rule EventBridge may send with, redrives to a dead-letter queue, and the function may read it', (_label, fnName, event) => {
      const template = templateOf(service);
      const queueId = Array.isArray((event.arn as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt']) ? String(((event.arn as { 'Fn::GetAtt': unknown[] })['Fn::GetAtt'])[0]) : '';
      expect(template.Resources[queueId]?.Type).toBe('AWS::SQS::Queue');
      const queueArn = JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] });

      // The event source mapping: the batch size of serverless.yml, partial batch failures reported.
      const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties?.EventSourceArn) === queueArn);
      expect(mappings).toHaveLength(1);
      const mapping = mappings[0]?.[1].Properties ?? {};
      expect(JSON.stringify(mapping.FunctionName)).toContain(lambdaLogicalId(fnName));
      expect(mapping.BatchSize).toBe(event.batchSize);
      if (Number(event.batchSize) > 10) expect(Number(mapping.MaximumBatchingWindowInSeconds)).toBeGreaterThanOrEqual(1);
      expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);

      // A message failing every time ends in a dead-letter queue; the visibility timeout outlasts the function.
      const queue = template.Resources[queueId]?.Properties ?? {};
      const redrive = queue.RedrivePolicy as { deadLetterTargetArn?: unknown; maxReceiveCount?: number } | undefined;
      expect(redrive?.deadLetterTargetArn).toBeDefined();
      expect(Number(redrive?.maxReceiveCount)).toBeGreaterThan(1);
      const timeout = Number(template.Resources[lambdaLogicalId(fnName)]?.Properties?.Timeout);
      expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(timeout);

      // Every rule sending to the queue retries and dead-letters, and the queue's policy lets exactly it send.
      const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) => ((rule.Properties?.Targets as RuleTarget[] | undefined) ?? []).some((t) => JSON.stringify(t.Arn) === queueArn));
      expect(rules.length).toBeGreaterThanOrEqual(1);
      const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([, p]) => JSON.stringify(p.Properties?.Queues) === JSON.stringify([{ Ref: queueId }]));
      const statements = policies.flatMap(([, p]) => (p.Properties?.PolicyDocument as { Statement: { Effect: string; Principal?: unknown; Action?: unknown; Condition?: unknown }[] }).Statement);
      for (const [ruleId, rule] of rules) {
        const target = ((rule.Properties?.Targets as RuleTarget[] | undefined) ?? []).find((t) => JSON.stringify(t.Arn) === queueArn);
        expect(target?.RetryPolicy).toEqual(expect.objectContaining({ MaximumRetryAttempts: expect.any(Number) }));
        expect(target?.DeadLetterConfig?.Arn).toBeDefined();
        const allowed = statements.filter((st) => st.Effect === 'Allow' && JSON.stringify(st.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }) && st.Action === 'sqs:SendMessage');
        expect(allowed.some((st) => JSON.stringify(st.Condition).includes(JSON.stringify({ 'Fn::GetAtt': [ruleId, 'Arn'] })))).toBe(true);
      }

      // The function's own role may receive and delete the queue's messages.
      const roleName = (service.config.functions?.[fnName] as { role?: unknown } | undefined)?.role;
      const role = typeof roleName === 'string' ? template.Resources[roleName] : undefined;
      const granted = JSON.stringify(role?.Properties?.Policies ?? []);
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) expect({ action, granted: granted.includes(action) && granted.includes(queueArn) }).toEqual({ action, granted: true });
    });
  }

  const tables = Object.entries(service.config.resources?.Resources ?? {}).filter(([, resource]) => resource.Type === 'AWS::DynamoDB::Table');
  if (tables.length > 0) {
    it.each(tables.map(([id, table]) => [id, resolveVariables(table, service.config) as CfnResource] as const))('declares table %s, in the template and named by the conventions', (id, table) => {
      const generated = templateOf(service).Resources[id];
      expect(generated?.Type).toBe('AWS::DynamoDB::Table');
      expect(generated?.Properties?.TableName).toBe(table.Properties?.TableName);
      expect(generated?.Properties?.TableName).toMatch(new RegExp(`^lifeboat-${name}-[a-z0-9-]+-${STAGE}$`));
      expect(generated?.Properties?.BillingMode).toBe('PAY_PER_REQUEST');
    });
  }
});
