import type { FieldProblem, PlanStep, Role, StepFailureAction, StepType } from '@lifeboat/service-api';
import { ROLES } from '@lifeboat/service-api';
import { isPlainJson, isRecord, jsonLength, optionalEnum, optionalInteger, optionalList, optionalString, requiredInteger, requiredString } from './checks.js';

/**
 * Steps before and after a wave: WAIT, APPROVAL, SSM_DOCUMENT and LAMBDA. A step as written is
 * checked here; its targets (SSM_DOCUMENT) are checked against the servers recovered by then.
 */

export const STEP_TYPES: readonly StepType[] = ['WAIT', 'APPROVAL', 'SSM_DOCUMENT', 'LAMBDA'];
export const FAILURE_ACTIONS: readonly StepFailureAction[] = ['FAIL', 'CONTINUE'];
export const MAX_STEPS_PER_PHASE = 20;
export const MAX_PAYLOAD_CHARACTERS = 32 * 1024;
/** Roles that may approve a step (a Viewer may not). */
export const APPROVER_ROLES: readonly Role[] = ROLES.filter((role) => role !== 'Viewer');

export const DEFAULT_TIMEOUT_SECONDS = { APPROVAL: 86_400, SSM_DOCUMENT: 3_600, LAMBDA: 300 } as const;

export const SSM_DOCUMENT = /^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:document\/)?[A-Za-z0-9_.-]{3,128}$/;
const DOCUMENT_VERSION = /^(\$DEFAULT|\$LATEST|[0-9]{1,10})$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;
export const SSM_PARAMETER_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** A step as written, validated, with defaults: a PlanStep before it gets its id. */
export type StepDefinition =
  | Omit<Extract<PlanStep, { type: 'WAIT' }>, 'stepId'>
  | Omit<Extract<PlanStep, { type: 'APPROVAL' }>, 'stepId'>
  | Omit<Extract<PlanStep, { type: 'SSM_DOCUMENT' }>, 'stepId'>
  | Omit<Extract<PlanStep, { type: 'LAMBDA' }>, 'stepId'>;

/** Where a step runs, for its targets: the wave's servers, and those of the waves before it. */
export interface StepContext {
  phase: 'pre' | 'post';
  waveServers: ReadonlySet<string>;
  upstreamServers: ReadonlySet<string>;
}

function stepName(value: unknown, field: string, problems: FieldProblem[], fallback: string): string {
  const name = optionalString(value, field, problems, { max: 128, what: 'a name of at most 128 characters' });
  return name === undefined || name.trim() === '' ? fallback : name.trim();
}

function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** One step at `field`; undefined (with problems) when it is not valid. */
export function parseStep(value: unknown, field: string, problems: FieldProblem[], context: StepContext): StepDefinition | undefined {
  if (!isRecord(value)) {
    problems.push({ field, message: `must be a step: an object with type ${STEP_TYPES.join(', ')}` });
    return undefined;
  }
  const count = problems.length;
  const type = optionalEnum(value.type, `${field}.type`, problems, STEP_TYPES);
  if (value.type === undefined) problems.push({ field: `${field}.type`, message: `is required (${STEP_TYPES.join(', ')})` });
  if (type === undefined) return undefined;
  const allowed: Record<StepType, readonly string[]> = {
    WAIT: ['type', 'name', 'durationSeconds'],
    APPROVAL: ['type', 'name', 'prompt', 'approverRole', 'timeoutSeconds', 'onTimeout'],
    SSM_DOCUMENT: ['type', 'name', 'documentName', 'documentVersion', 'parameters', 'targetServerIds', 'timeoutSeconds', 'onFailure'],
    LAMBDA: ['type', 'name', 'functionArn', 'payload', 'timeoutSeconds', 'onFailure'],
  };
  for (const key of Object.keys(value)) {
    if (!allowed[type].includes(key)) problems.push({ field: `${field}.${key}`, message: `is not a field of a ${type} step (${allowed[type].join(', ')})` });
  }

  switch (type) {
    case 'WAIT': {
      const durationSeconds = requiredInteger(value.durationSeconds, `${field}.durationSeconds`, problems, 1, 86_400);
      if (durationSeconds === undefined || problems.length > count) return undefined;
      return { type, name: stepName(value.name, `${field}.name`, problems, `Wait ${formatDuration(durationSeconds)}`), durationSeconds };
    }
    case 'APPROVAL': {
      const prompt = requiredString(value.prompt, `${field}.prompt`, problems, { max: 1024, what: 'a prompt of at most 1024 characters' });
      const approverRole = optionalEnum(value.approverRole, `${field}.approverRole`, problems, APPROVER_ROLES);
      const timeoutSeconds = optionalInteger(value.timeoutSeconds, `${field}.timeoutSeconds`, problems, 60, 604_800) ?? DEFAULT_TIMEOUT_SECONDS.APPROVAL;
      const onTimeout = optionalEnum(value.onTimeout, `${field}.onTimeout`, problems, FAILURE_ACTIONS) ?? 'FAIL';
      const name = stepName(value.name, `${field}.name`, problems, 'Approval');
      if (prompt === undefined || problems.length > count) return undefined;
      return { type, name, prompt, ...(approverRole ? { approverRole } : {}), timeoutSeconds, onTimeout };
    }
    case 'SSM_DOCUMENT': {
      const documentName = requiredString(value.documentName, `${field}.documentName`, problems, { pattern: SSM_DOCUMENT, what: 'the name (3 to 128 letters, digits, _ . -) or ARN of an SSM document' });
      const documentVersion = optionalString(value.documentVersion, `${field}.documentVersion`, problems, { pattern: DOCUMENT_VERSION, what: '$DEFAULT, $LATEST or a version number' }) ?? '$DEFAULT';
      const parameters: Record<string, string[]> = {};
      if (value.parameters !== undefined) {
        if (!isRecord(value.parameters)) problems.push({ field: `${field}.parameters`, message: 'must be an object of parameter name to a list of values' });
        else {
          for (const [name, values] of Object.entries(value.parameters)) {
            if (!SSM_PARAMETER_NAME.test(name)) problems.push({ field: `${field}.parameters`, message: `'${name}' is not an SSM document parameter name` });
            else if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) problems.push({ field: `${field}.parameters.${name}`, message: 'must be a list of strings' });
            else parameters[name] = [...(values as string[])];
          }
          if (jsonLength(parameters) > MAX_PAYLOAD_CHARACTERS) problems.push({ field: `${field}.parameters`, message: `must be at most ${MAX_PAYLOAD_CHARACTERS} characters as JSON` });
        }
      }
      const targetServerIds = checkTargets(value.targetServerIds, `${field}.targetServerIds`, problems, context);
      const timeoutSeconds = optionalInteger(value.timeoutSeconds, `${field}.timeoutSeconds`, problems, 30, 172_800) ?? DEFAULT_TIMEOUT_SECONDS.SSM_DOCUMENT;
      const onFailure = optionalEnum(value.onFailure, `${field}.onFailure`, problems, FAILURE_ACTIONS) ?? 'FAIL';
      const name = stepName(value.name, `${field}.name`, problems, documentName ?? 'SSM document');
      if (documentName === undefined || problems.length > count) return undefined;
      return { type, name, documentName, documentVersion, parameters, targetServerIds, timeoutSeconds, onFailure };
    }
    case 'LAMBDA': {
      const functionArn = requiredString(value.functionArn, `${field}.functionArn`, problems, { pattern: LAMBDA_ARN, what: 'a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)' });
      let payload: Record<string, unknown> = {};
      if (value.payload !== undefined) {
        if (!isRecord(value.payload) || !isPlainJson(value.payload)) problems.push({ field: `${field}.payload`, message: 'must be a JSON object' });
        else if (jsonLength(value.payload) > MAX_PAYLOAD_CHARACTERS) problems.push({ field: `${field}.payload`, message: `must be at most ${MAX_PAYLOAD_CHARACTERS} characters as JSON` });
        else payload = value.payload;
      }
      const timeoutSeconds = optionalInteger(value.timeoutSeconds, `${field}.timeoutSeconds`, problems, 1, 900) ?? DEFAULT_TIMEOUT_SECONDS.LAMBDA;
      const onFailure = optionalEnum(value.onFailure, `${field}.onFailure`, problems, FAILURE_ACTIONS) ?? 'FAIL';
      const fallback = functionArn?.split(':function:')[1]?.split(':')[0] ?? 'Lambda';
      const name = stepName(value.name, `${field}.name`, problems, fallback);
      if (functionArn === undefined || problems.length > count) return undefined;
      return { type, name, functionArn, payload, timeoutSeconds, onFailure };
    }
    default: {
      const unknown: never = type;
      throw new Error(`Unknown step type ${String(unknown)}`);
    }
  }
}

/**
 * The servers an SSM_DOCUMENT step runs on. They must be recovered when the step runs: a pre step
 * runs on servers of the waves before (and needs targets), a post step also on its own wave's
 * (none given: the whole wave, stored as an empty list).
 */
function checkTargets(value: unknown, field: string, problems: FieldProblem[], context: StepContext): string[] {
  const targets: string[] = [];
  const list = optionalList(value, field, problems, 500, 'servers');
  if (list.length === 0 && context.phase === 'pre') {
    problems.push({ field, message: 'a step before a wave runs on servers recovered by the waves it depends on: name them' });
    return targets;
  }
  list.forEach((id, i) => {
    const at = `${field}[${i}]`;
    if (typeof id !== 'string' || !/^s-[0-9a-zA-Z]{17}$/.test(id)) {
      problems.push({ field: at, message: 'must be a DRS source server id (s- and 17 characters)' });
      return;
    }
    if (targets.includes(id)) {
      problems.push({ field: at, message: `${id} is listed twice` });
      return;
    }
    const recovered = context.upstreamServers.has(id) || (context.phase === 'post' && context.waveServers.has(id));
    if (!recovered) {
      const where = context.phase === 'pre' ? 'the waves this wave depends on' : 'this wave or the waves it depends on';
      problems.push({ field: at, message: `${id} is not recovered when the step runs: it is in none of ${where}` });
      return;
    }
    targets.push(id);
  });
  return targets;
}

/** The steps of one phase of a wave. */
export function parseSteps(value: unknown, field: string, problems: FieldProblem[], context: StepContext): StepDefinition[] {
  const steps: StepDefinition[] = [];
  optionalList(value, field, problems, MAX_STEPS_PER_PHASE, 'steps').forEach((item, k) => {
    const step = parseStep(item, `${field}[${k}]`, problems, context);
    if (step) steps.push(step);
  });
  return steps;
}
