import fs from 'node:fs';
import path from 'node:path';
import type { TableDefinition } from '../dynamodb/index.js';
import type { QueueDefinition } from '../sqs/queue.js';
import { parseServerlessYaml } from './yaml-cloudformation.js';
import { resolveVariables } from './variables.js';
import { evaluateIntrinsics, type StackContext } from './intrinsics.js';

export interface LocalSettings {
  stage: string;
  region: string;
  accountId: string;
}

export type FunctionEvent =
  | { type: 'eventBridge'; ruleName: string; eventBus: string; pattern: Record<string, unknown>; maximumRetryAttempts: number; maximumEventAgeSeconds: number; deadLetterQueue?: string }
  | { type: 'schedule'; ruleName: string; expression: string; enabled: boolean; input?: unknown }
  | { type: 'stream'; table: string; batchSize: number; maximumRetryAttempts: number }
  | { type: 'sqs'; queueArn: string; batchSize: number; maximumBatchingWindowSeconds: number; reportBatchItemFailures: boolean };

/** An AWS::Events::Rule resource whose target is an SQS queue of the same stack. */
export interface QueueRule {
  name: string;
  eventBus: string;
  pattern: Record<string, unknown>;
  queueArn: string;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}

/** A function of a service as the local runtime runs it. */
export interface LocalFunction {
  service: string;
  key: string;
  /** The deployed name: `<service>-<stage>-<key>`. */
  name: string;
  serviceDir: string;
  /** Absolute path of the handler module. */
  handlerFile: string;
  exportName: string;
  timeoutSeconds: number;
  memorySize: number;
  environment: Record<string, string>;
  events: FunctionEvent[];
}

export interface LocalStack {
  name: string;
  dir: string;
  functions: LocalFunction[];
  tables: TableDefinition[];
  exports: Record<string, string>;
  queues: QueueDefinition[];
  queueRules: QueueRule[];
}

export interface LocalProject {
  platform: LocalStack;
  services: LocalStack[];
  functions: LocalFunction[];
  tables: TableDefinition[];
  /** The environment every function sees (the union; no two functions may disagree). */
  environment: Record<string, string>;
  eventBuses: string[];
  queues: QueueDefinition[];
  queueRules: QueueRule[];
}

type Raw = Record<string, unknown>;

function readConfig(file: string, settings: LocalSettings): Raw {
  const raw = parseServerlessYaml(fs.readFileSync(file, 'utf8'));
  return resolveVariables(raw, { stage: settings.stage, region: settings.region, accountId: settings.accountId, options: { stage: settings.stage, region: settings.region }, env: process.env });
}

function stackOf(config: Raw, settings: LocalSettings, exports: Record<string, string>): StackContext {
  const resources = ((config.resources as Raw | undefined)?.Resources ?? {}) as StackContext['resources'];
  return { stackName: `${String(config.service)}-${settings.stage}`, region: settings.region, accountId: settings.accountId, resources, exports };
}

function tablesOf(stack: StackContext): TableDefinition[] {
  return Object.values(stack.resources)
    .filter((r) => r.Type === 'AWS::DynamoDB::Table')
    .map((r) => evaluateIntrinsics(r.Properties ?? {}, stack) as TableDefinition);
}

function exportsOf(config: Raw, stack: StackContext): Record<string, string> {
  const outputs = ((config.resources as Raw | undefined)?.Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  const result: Record<string, string> = {};
  for (const output of Object.values(outputs)) {
    if (!output.Export) continue;
    try {
      result[String(evaluateIntrinsics(output.Export.Name, stack))] = String(evaluateIntrinsics(output.Value, stack));
    } catch {
      // An output of a resource the framework generates at deploy time (HttpApi, ...): nothing local imports it.
    }
  }
  return result;
}

function busName(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'default';
  const text = String(value);
  return text.startsWith('arn:') ? text.slice(text.lastIndexOf('/') + 1) : text;
}

function tableFromStreamArn(arn: string): string {
  const match = /:table\/([^/]+)\/stream\//.exec(arn);
  if (!match?.[1]) throw new Error(`Not a DynamoDB stream ARN: ${arn}`);
  return match[1];
}

function eventsOf(fn: Raw, fnName: string, stack: StackContext): FunctionEvent[] {
  const events: FunctionEvent[] = [];
  ((fn.events ?? []) as Raw[]).forEach((event, index) => {
    const ruleName = `${fnName}-rule-${index + 1}`;
    if (event.eventBridge) {
      const eb = evaluateIntrinsics(event.eventBridge, stack) as Raw;
      const retry = (eb.retryPolicy ?? {}) as Raw;
      events.push({
        type: 'eventBridge',
        ruleName,
        eventBus: busName(eb.eventBus),
        pattern: (eb.pattern ?? {}) as Record<string, unknown>,
        maximumRetryAttempts: Number(retry.maximumRetryAttempts ?? 185),
        maximumEventAgeSeconds: Number(retry.maximumEventAge ?? 86400),
        ...(eb.deadLetterQueueArn ? { deadLetterQueue: String(eb.deadLetterQueueArn) } : {}),
      });
    } else if (event.schedule) {
      const schedule = evaluateIntrinsics(event.schedule, stack);
      const spec = typeof schedule === 'string' ? { rate: [schedule] } : (schedule as Raw);
      const rates = Array.isArray(spec.rate) ? spec.rate : [spec.rate];
      for (const rate of rates) {
        events.push({ type: 'schedule', ruleName, expression: String(rate), enabled: spec.enabled !== false, ...(spec.input !== undefined ? { input: spec.input } : {}) });
      }
    } else if (event.stream) {
      const stream = evaluateIntrinsics(event.stream, stack);
      const spec = typeof stream === 'string' ? { arn: stream } : (stream as Raw);
      if (spec.type && spec.type !== 'dynamodb') return;
      events.push({ type: 'stream', table: tableFromStreamArn(String(spec.arn)), batchSize: Number(spec.batchSize ?? 100), maximumRetryAttempts: Number(spec.maximumRetryAttempts ?? -1) });
    } else if (event.sqs) {
      const sqs = evaluateIntrinsics(event.sqs, stack);
      const spec = typeof sqs === 'string' ? { arn: sqs } : (sqs as Raw);
      events.push({
        type: 'sqs',
        queueArn: String(spec.arn),
        batchSize: Number(spec.batchSize ?? 10),
        maximumBatchingWindowSeconds: Number(spec.maximumBatchingWindow ?? 0),
        reportBatchItemFailures: spec.functionResponseType === 'ReportBatchItemFailures',
      });
    }
  });
  return events;
}

/** The queues of a stack (physical names and ARNs, and the redrive policy's receive limit). */
function queuesOf(stack: StackContext): QueueDefinition[] {
  return Object.entries(stack.resources)
    .filter(([, r]) => r.Type === 'AWS::SQS::Queue')
    .map(([logicalId, r]) => {
      const redrive = evaluateIntrinsics((r.Properties ?? {}).RedrivePolicy, stack) as Raw | undefined;
      return {
        name: String(evaluateIntrinsics({ 'Fn::GetAtt': [logicalId, 'QueueName'] }, stack)),
        arn: String(evaluateIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, stack)),
        ...(redrive?.maxReceiveCount !== undefined ? { maxReceiveCount: Number(redrive.maxReceiveCount) } : {}),
      };
    });
}

/** AWS::Events::Rule resources that send to an SQS queue (a function's events declare the other rules). */
function queueRulesOf(stack: StackContext): QueueRule[] {
  return Object.entries(stack.resources)
    .filter(([, r]) => r.Type === 'AWS::Events::Rule')
    .flatMap(([logicalId, r]) => {
      const props = evaluateIntrinsics(r.Properties ?? {}, stack) as Raw;
      if (props.State === 'DISABLED' || !props.EventPattern) return [];
      return ((props.Targets ?? []) as Raw[])
        .filter((target) => String(target.Arn).startsWith('arn:aws:sqs:'))
        .map((target): QueueRule => {
          const retry = (target.RetryPolicy ?? {}) as Raw;
          return {
            name: `${String(props.Name ?? `${stack.stackName}-${logicalId}`)}-${String(target.Id ?? 'queue')}`,
            eventBus: busName(props.EventBusName),
            pattern: props.EventPattern as Record<string, unknown>,
            queueArn: String(target.Arn),
            maximumRetryAttempts: Number(retry.MaximumRetryAttempts ?? 185),
            maximumEventAgeSeconds: Number(retry.MaximumEventAgeInSeconds ?? 86400),
          };
        });
    });
}

function resolveHandler(serviceDir: string, handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  for (const extension of ['.ts', '.mts', '.js', '.mjs']) {
    const file = path.join(serviceDir, modulePath + extension);
    if (fs.existsSync(file)) return { file, exportName };
  }
  throw new Error(`Handler ${handler} of ${serviceDir} not found`);
}

/** The logical id the framework gives a function's AWS::Lambda::Function resource. */
export function functionLogicalId(key: string): string {
  const normalized = key.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return `${normalized.charAt(0).toUpperCase()}${normalized.slice(1)}LambdaFunction`;
}

function loadStack(file: string, settings: LocalSettings, imports: Record<string, string>): LocalStack {
  const dir = path.dirname(file);
  const config = readConfig(file, settings);
  const service = String(config.service);
  const provider = (config.provider ?? {}) as Raw;
  const stack = stackOf(config, settings, imports);
  // The framework generates the functions' resources; Ref/GetAtt to them must resolve locally too.
  for (const [key, fn] of Object.entries((config.functions ?? {}) as Record<string, Raw>)) {
    stack.resources[functionLogicalId(key)] ??= { Type: 'AWS::Lambda::Function', Properties: { FunctionName: String(fn.name ?? `${service}-${settings.stage}-${key}`) } };
  }
  const providerEnv = (evaluateIntrinsics(provider.environment ?? {}, stack) ?? {}) as Record<string, unknown>;
  const functions: LocalFunction[] = Object.entries((config.functions ?? {}) as Record<string, Raw>).map(([key, fn]) => {
    const name = String(fn.name ?? `${service}-${settings.stage}-${key}`);
    const { file: handlerFile, exportName } = resolveHandler(dir, String(fn.handler));
    const environment = { ...providerEnv, ...((evaluateIntrinsics(fn.environment ?? {}, stack) ?? {}) as Record<string, unknown>) };
    return {
      service,
      key,
      name,
      serviceDir: dir,
      handlerFile,
      exportName,
      timeoutSeconds: Number(fn.timeout ?? provider.timeout ?? 6),
      memorySize: Number(fn.memorySize ?? provider.memorySize ?? 1024),
      // A variable that resolved to nothing sets nothing (as the framework leaves it out).
      environment: Object.fromEntries(Object.entries(environment).flatMap(([k, v]) => (v === undefined || v === null ? [] : [[k, String(v)]]))),
      events: eventsOf(fn, name, stack),
    };
  });
  return { name: service, dir, functions, tables: tablesOf(stack), exports: exportsOf(config, stack), queues: queuesOf(stack), queueRules: queueRulesOf(stack) };
}

/**
 * The DynamoDB tables one serverless.yml declares, resolved for a stage: tests create exactly what
 * the deployment creates.
 */
export function tablesOfServerlessYml(file: string, settings: LocalSettings): TableDefinition[] {
  const config = readConfig(file, settings);
  return tablesOf(stackOf(config, settings, {}));
}

/** Reads the root platform stack and every services/* stack, as they deploy, for one stage. */
export function loadProject(rootDir: string, settings: LocalSettings): LocalProject {
  const platform = loadStack(path.join(rootDir, 'serverless.yml'), settings, {});
  const servicesDir = path.join(rootDir, 'services');
  const services = fs
    .readdirSync(servicesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(servicesDir, entry.name, 'serverless.yml')))
    .map((entry) => loadStack(path.join(servicesDir, entry.name, 'serverless.yml'), settings, platform.exports));
  const functions = [...platform.functions, ...services.flatMap((s) => s.functions)];

  const environment: Record<string, string> = {};
  const setBy: Record<string, string> = {};
  for (const fn of functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (name in environment && environment[name] !== value) {
        throw new Error(`Environment variable ${name} is ${environment[name]} for ${setBy[name]} but ${value} for ${fn.name}: locally all functions share one process, so give it a service prefix`);
      }
      environment[name] = value;
      setBy[name] = fn.name;
    }
  }
  const eventBuses = [
    'default',
    ...Object.values(platform.exports).filter((v) => v.includes(':event-bus/')).map((arn) => arn.slice(arn.lastIndexOf('/') + 1)),
  ];
  const stacks = [platform, ...services];
  return {
    platform,
    services,
    functions,
    tables: stacks.flatMap((s) => s.tables),
    environment,
    eventBuses: [...new Set(eventBuses)],
    queues: stacks.flatMap((s) => s.queues),
    queueRules: stacks.flatMap((s) => s.queueRules),
  };
}
