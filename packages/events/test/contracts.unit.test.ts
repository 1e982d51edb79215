/**
 * The three places an event is declared agree: the schema files in events/schemas, the registry
 * in src/schemas.ts and the AsyncAPI document events/asyncapi.yaml (see events/README.md).
 * Reads those repository files; writes nothing.
 */
import { describe, it, expect } from '@jest/globals';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';
import { awsEventSchemas, compileAllSchemas, lifeboatEventSchemas, sourceOf, validateAwsEventDetail, validateEventDetail, isLifeboatEventType } from '../src/schemas.js';
import { createEvent } from '../src/envelope.js';

const eventsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../events');
const schemasDir = join(eventsDir, 'schemas');
const COMMON = 'common.schema.json';

interface SchemaFile {
  /** Path relative to events/, e.g. `./schemas/WaveStarted.schema.json`. */
  ref: string;
  path: string;
  schema: Record<string, unknown>;
}

function readSchemas(dir: string): SchemaFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.schema.json'))
    .map((entry) => {
      const path = join(dir, entry.name);
      return { path, ref: `./${relative(eventsDir, path).split('\\').join('/')}`, schema: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> };
    });
}

const commonFile = readSchemas(schemasDir).find((f) => f.ref === `./schemas/${COMMON}`);
const lifeboatFiles = readSchemas(schemasDir).filter((f) => f.ref !== `./schemas/${COMMON}`);
const awsFiles = readSchemas(join(schemasDir, 'aws'));
const allEventFiles = [...lifeboatFiles, ...awsFiles];

const eventNameOf = (file: SchemaFile): string => file.ref.replace(/^.*\//, '').replace(/\.schema\.json$/, '');

// ---- the AsyncAPI document, read as plain data
interface AsyncApiMessage {
  name?: string;
  payload?: { $ref?: string; schema?: { $ref?: string } };
}
interface AsyncApiDocument {
  asyncapi: string;
  channels: Record<string, { address: string; messages?: Record<string, { $ref: string }> }>;
  operations: Record<string, { action: 'send' | 'receive'; channel: { $ref: string }; messages?: { $ref: string }[] }>;
  components: { messages: Record<string, AsyncApiMessage> };
}
const asyncapi = parse(readFileSync(join(eventsDir, 'asyncapi.yaml'), 'utf8')) as AsyncApiDocument;

/** Follows a local `#/a/b` reference in the AsyncAPI document. */
function follow(ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  let node: unknown = asyncapi;
  for (const part of ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
    node = (node as Record<string, unknown> | undefined)?.[part];
  }
  return node;
}

const payloadRefOf = (message: AsyncApiMessage): string | undefined => message.payload?.$ref ?? message.payload?.schema?.$ref;

/** Channel id -> component message ids it carries. */
function messagesByChannel(): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const [channelId, channel] of Object.entries(asyncapi.channels)) {
    result.set(channelId, Object.values(channel.messages ?? {}).map((m) => m.$ref.replace('#/components/messages/', '')));
  }
  return result;
}

function channelOfMessage(messageId: string): string[] {
  return [...messagesByChannel()].filter(([, ids]) => ids.includes(messageId)).map(([channelId]) => channelId);
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

describe('event schema files', () => {
  it('has the shared definitions and at least one Lifeboat and one AWS event schema', () => {
    expect(commonFile).toBeDefined();
    expect(lifeboatFiles.length).toBeGreaterThan(0);
    expect(awsFiles.length).toBeGreaterThan(0);
  });

  it('every registered schema compiles (compileAllSchemas)', () => {
    const compiled = compileAllSchemas();
    expect(compiled).toHaveLength(Object.keys(lifeboatEventSchemas).length + Object.values(awsEventSchemas).reduce((n, byType) => n + Object.keys(byType).length, 0));
  });

  it.each(allEventFiles.map((f) => [f.ref, f] as const))('%s compiles as a strict JSON Schema 2020-12 on its own', (_ref, file) => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, keywords: ['x-lifeboat-source', 'x-aws-source', 'x-aws-detail-type'] });
    addFormats(ajv);
    ajv.addSchema(commonFile?.schema ?? {});
    expect(() => ajv.compile(file.schema)).not.toThrow();
    expect(file.schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it.each(lifeboatFiles.map((f) => [eventNameOf(f), f] as const))('%s: $id, title and x-lifeboat-source follow the conventions', (name, file) => {
    expect(file.schema.$id).toBe(`https://schemas.lifeboat.local/events/${name}.schema.json`);
    expect(file.schema.title).toBe(name);
    expect(file.schema['x-lifeboat-source']).toMatch(/^lifeboat\.[a-z]+$/);
    expect(file.schema.additionalProperties).toBe(false);
    expect(file.schema.required).toEqual(expect.arrayContaining(['metadata', 'data']));
  });

  it.each(awsFiles.map((f) => [eventNameOf(f), f] as const))('aws/%s names its AWS source and detail-type', (_name, file) => {
    expect(file.schema['x-aws-source']).toMatch(/^aws\.[a-z0-9]+$/);
    expect(typeof file.schema['x-aws-detail-type']).toBe('string');
  });
});

describe('the registry in src/schemas.ts', () => {
  it('registers every Lifeboat schema file, under its file name, and nothing else', () => {
    expect(Object.keys(lifeboatEventSchemas).sort()).toEqual(lifeboatFiles.map(eventNameOf).sort());
  });

  it.each(lifeboatFiles.map((f) => [eventNameOf(f), f] as const))('%s is registered with the content of its file', (name, file) => {
    expect(isLifeboatEventType(name)).toBe(true);
    expect(lifeboatEventSchemas[name as keyof typeof lifeboatEventSchemas]).toEqual(file.schema);
    expect(sourceOf(name as keyof typeof lifeboatEventSchemas)).toBe(file.schema['x-lifeboat-source']);
  });

  it('registers every AWS schema file under its x-aws-source and x-aws-detail-type, and nothing else', () => {
    const fromFiles = awsFiles.map((f) => `${String(f.schema['x-aws-source'])}|${String(f.schema['x-aws-detail-type'])}`).sort();
    const registered = Object.entries(awsEventSchemas).flatMap(([source, byType]) => Object.keys(byType).map((detailType) => `${source}|${detailType}`)).sort();
    expect(registered).toEqual(fromFiles);
    for (const file of awsFiles) {
      expect(awsEventSchemas[String(file.schema['x-aws-source'])]?.[String(file.schema['x-aws-detail-type'])]).toEqual(file.schema);
    }
  });

  it('rejects an unknown event type and an unknown AWS event with a typed error', () => {
    expect(() => validateEventDetail('NoSuchEvent', {})).toThrow(expect.objectContaining({ name: 'EventValidationError' }));
    expect(() => validateAwsEventDetail('aws.drs', 'No Such Event', {})).toThrow(expect.objectContaining({ name: 'EventValidationError' }));
  });

  it('accepts a well-formed event and reports every problem of a bad one', () => {
    const event = createEvent('WaveStarted', { executionId: 'ex-1', waveId: 'w-1', name: 'Databases' }, { correlationId: 'ex-1', actor: { type: 'system', id: 'execution' } });
    expect(() => validateEventDetail('WaveStarted', { metadata: event.metadata, data: event.data })).not.toThrow();
    let problems: { path: string; message: string }[] = [];
    try {
      validateEventDetail('WaveStarted', { metadata: { ...event.metadata, eventId: 'not-a-ulid' }, data: { executionId: 'ex-1' } });
    } catch (error) {
      problems = (error as { problems: { path: string; message: string }[] }).problems;
    }
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining(['/metadata/eventId', '/data']));
  });
});

describe('events/asyncapi.yaml', () => {
  it('is an AsyncAPI 3.0 document with one channel per source', () => {
    expect(asyncapi.asyncapi).toMatch(/^3\.0\./);
    const sources = new Set(lifeboatFiles.map((f) => String(f.schema['x-lifeboat-source'])));
    for (const file of awsFiles) sources.add(String(file.schema['x-aws-source']));
    expect(Object.keys(asyncapi.channels).sort()).toEqual([...sources].sort());
    for (const [channelId, channel] of Object.entries(asyncapi.channels)) expect(channel.address).toBe(channelId);
  });

  it('every message payload references a schema file that exists', () => {
    for (const [id, message] of Object.entries(asyncapi.components.messages)) {
      const ref = payloadRefOf(message);
      expect({ id, ref }).toEqual({ id, ref: expect.stringMatching(/^\.\/schemas\/.+\.schema\.json$/) });
      expect({ id, exists: existsSync(resolve(eventsDir, ref ?? '')) }).toEqual({ id, exists: true });
    }
  });

  it('every schema file has exactly one message, and no two messages share a schema', () => {
    const refs = Object.values(asyncapi.components.messages).map(payloadRefOf);
    expect([...refs].sort()).toEqual(allEventFiles.map((f) => f.ref).sort());
  });

  it.each(lifeboatFiles.map((f) => [eventNameOf(f), f] as const))('%s: message named after the detail-type, in the channel of its x-lifeboat-source', (name, file) => {
    const [messageId, message] = Object.entries(asyncapi.components.messages).find(([, m]) => payloadRefOf(m) === file.ref) ?? [];
    expect(messageId).toBe(name);
    expect(message?.name).toBe(name);
    expect(channelOfMessage(name)).toEqual([file.schema['x-lifeboat-source']]);
  });

  it.each(awsFiles.map((f) => [eventNameOf(f), f] as const))('aws/%s: message named after the AWS detail-type, in the channel of its x-aws-source', (_name, file) => {
    const [messageId, message] = Object.entries(asyncapi.components.messages).find(([, m]) => payloadRefOf(m) === file.ref) ?? [];
    expect(message?.name).toBe(file.schema['x-aws-detail-type']);
    expect(channelOfMessage(messageId ?? '')).toEqual([file.schema['x-aws-source']]);
  });

  it('every channel message and operation reference resolves', () => {
    for (const channel of Object.values(asyncapi.channels)) {
      for (const message of Object.values(channel.messages ?? {})) expect({ ref: message.$ref, target: follow(message.$ref) }).toEqual({ ref: message.$ref, target: expect.anything() });
    }
    for (const operation of Object.values(asyncapi.operations)) {
      expect(follow(operation.channel.$ref)).toBeDefined();
      for (const message of operation.messages ?? []) {
        // Operation messages must be messages of the operation's channel (AsyncAPI 3).
        expect(message.$ref.startsWith(`${operation.channel.$ref}/messages/`)).toBe(true);
        expect({ ref: message.$ref, target: follow(message.$ref) }).toEqual({ ref: message.$ref, target: expect.anything() });
      }
    }
  });

  it('Lifeboat sends every message of its own channels and receives the AWS ones', () => {
    const byChannel = messagesByChannel();
    const expected = new Map<string, { action: 'send' | 'receive'; messages: string[] }>();
    for (const [channelId, messageIds] of byChannel) {
      expected.set(channelId, { action: channelId.startsWith('lifeboat.') ? 'send' : 'receive', messages: [...messageIds].sort() });
    }
    const actual = new Map<string, { action: 'send' | 'receive'; messages: string[] }>();
    for (const operation of Object.values(asyncapi.operations)) {
      const channelId = operation.channel.$ref.replace('#/channels/', '');
      const messages = (operation.messages ?? []).map((m) => m.$ref.replace(/^.*\/messages\//, ''));
      const entry = actual.get(`${channelId}`) ?? { action: operation.action, messages: [] };
      if (entry.action === operation.action) entry.messages.push(...messages);
      actual.set(channelId, entry);
    }
    for (const entry of actual.values()) entry.messages.sort();
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  });
});
