/**
 * Short, readable messages about executions, for people on call: which plan, drill or real
 * recovery, which wave, what happened, and what is needed from the reader.
 *
 * Pure: the handler passes each event with what the service remembers of its execution (the
 * `ExecutionContext`, taken from the ExecutionStarted plan snapshot). Events arrive unordered,
 * so a wave event may come before its ExecutionStarted: the message then names ids instead of
 * names rather than being held back (an alert about a failed wave must not wait).
 */
import type { PlanSnapshot } from '@lifeboat/service-api';

/** Drill or real recovery (the contract's). */
export type { ExecutionMode } from '@lifeboat/service-api';
import type { ExecutionMode } from '@lifeboat/service-api';

// ---- the consumed events' data (events/schemas/*.schema.json; validated by the consumer)
export interface ExecutionStartedData {
  executionId: string;
  planId: string;
  planVersion: number;
  mode: ExecutionMode;
  plan: PlanSnapshot;
}
export interface WaveCompletedData {
  executionId: string;
  waveId: string;
}
export interface WaveFailedData {
  executionId: string;
  waveId: string;
  reason: string;
  failedServerIds: string[];
}
export interface ExecutionCompletedData {
  executionId: string;
  planId: string;
  mode: ExecutionMode;
  durationMs: number;
}
export interface ExecutionFailedData {
  executionId: string;
  planId: string;
  mode: ExecutionMode;
  reason: string;
}

export interface ApprovalRequestedData {
  executionId: string;
  approvalId: string;
  /** SECOND_APPROVER: a RECOVERY that needs a second person; STEP: an APPROVAL step. */
  kind: 'SECOND_APPROVER' | 'STEP';
  waveId?: string;
  stepId?: string;
  prompt: string;
  approverRole?: string;
  permission: 'drill:approve' | 'recovery:approve';
  excludedUserIds: string[];
  expiresAt?: string;
}
export interface DrillCleanupCompletedData {
  executionId: string;
  terminatedRecoveryInstanceIds: string[];
  failed: { recoveryInstanceId: string; reason: string }[];
}

export type NotifiableEvent =
  | { type: 'ExecutionStarted'; data: ExecutionStartedData }
  | { type: 'WaveCompleted'; data: WaveCompletedData }
  | { type: 'WaveFailed'; data: WaveFailedData }
  | { type: 'ExecutionCompleted'; data: ExecutionCompletedData }
  | { type: 'ExecutionFailed'; data: ExecutionFailedData }
  | { type: 'ApprovalRequested'; data: ApprovalRequestedData }
  | { type: 'DrillCleanupCompleted'; data: DrillCleanupCompletedData };

export const NOTIFIABLE_EVENT_TYPES = [
  'ExecutionStarted',
  'WaveCompleted',
  'WaveFailed',
  'ExecutionCompleted',
  'ExecutionFailed',
  'ApprovalRequested',
  'DrillCleanupCompleted',
] as const satisfies readonly NotifiableEvent['type'][];

/** What the service remembers of an execution to name things in later messages. */
export interface ExecutionContext {
  executionId: string;
  planId: string;
  planName: string;
  planVersion: number;
  mode: ExecutionMode;
  waves: { waveId: string; name: string; dependsOn: string[]; servers: { sourceServerId: string; hostname: string }[] }[];
}

export function contextOf(started: ExecutionStartedData): ExecutionContext {
  return {
    executionId: started.executionId,
    planId: started.planId,
    planName: started.plan.name,
    planVersion: started.planVersion,
    mode: started.mode,
    waves: started.plan.waves.map((w) => ({
      waveId: w.waveId,
      name: w.name,
      dependsOn: [...w.dependsOn],
      servers: w.servers.map((s) => ({ sourceServerId: s.sourceServerId, hostname: s.hostname })),
    })),
  };
}

/** ACTION_REQUIRED: someone must decide (an approval request). */
export type Severity = 'INFO' | 'SUCCESS' | 'FAILURE' | 'ACTION_REQUIRED';

/** A link into the console. It only opens a page: acting there needs a signed-in user. */
export interface Link {
  label: string;
  url: string;
}

export interface RenderOptions {
  /** The console's base URL (NOTIFICATION_CONSOLE_URL); without it messages carry no links. */
  consoleUrl?: string;
}

export interface Message {
  /**
   * One line, under 100 characters (the SNS Subject limit), no control characters. It keeps the
   * plan's own characters: the SNS channel will fold it to ASCII, which SNS subjects require.
   */
  subject: string;
  text: string;
  /** For channels that colour or route messages (Slack, Teams, paging). */
  severity: Severity;
  /** The execution's page, and the approve / reject links of an approval request (also in `text`). */
  links: Link[];
}

/** `<console>/executions/<id>`, with `?approval=<approvalId>&decision=approve|reject` for a decision. No token: the page asks the user to sign in. */
export function executionLink(consoleUrl: string, executionId: string, decision?: { approvalId: string; decision: 'approve' | 'reject' }): string {
  const base = `${consoleUrl.replace(/\/+$/, '')}/executions/${encodeURIComponent(executionId)}`;
  if (!decision) return base;
  return `${base}?approval=${encodeURIComponent(decision.approvalId)}&decision=${decision.decision}`;
}

export const MAX_SUBJECT_CHARS = 99;
const MAX_LIST_ITEMS = 10;

/** A subject for every channel: one line, no control characters, at most 99 characters. */
export function subjectLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length <= MAX_SUBJECT_CHARS ? line : `${line.slice(0, MAX_SUBJECT_CHARS - 3)}...`;
}

/** `45 s`, `12 min 5 s`, `2 h 3 min`. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/** `a, b and 3 more` */
function listOf(items: readonly string[]): string {
  if (items.length <= MAX_LIST_ITEMS) return items.join(', ');
  return `${items.slice(0, MAX_LIST_ITEMS).join(', ')} and ${items.length - MAX_LIST_ITEMS} more`;
}

const quoted = (name: string) => `"${name}"`;

/** Names that the context knows, ids otherwise. */
function namer(executionId: string, context: ExecutionContext | undefined) {
  const waveOf = (waveId: string) => context?.waves.find((w) => w.waveId === waveId);
  const hostnames = new Map(context?.waves.flatMap((w) => w.servers.map((s) => [s.sourceServerId, s.hostname] as const)));
  const modeOf = (mode?: ExecutionMode) => mode ?? context?.mode;
  /** `"Payments" v3`, `plan p-1` when only the id is known. */
  const plan = (planId?: string) => (context ? `${quoted(context.planName)} v${context.planVersion}` : planId ? `plan ${planId}` : undefined);
  const kind = (mode?: ExecutionMode) => {
    const known = modeOf(mode);
    return known === 'DRILL' ? 'drill' : known === 'RECOVERY' ? 'recovery' : 'execution';
  };
  return {
    kind,
    /** Start of a subject: `[DRILL] "Payments" v3`, `[LIFEBOAT] Execution e-1` before ExecutionStarted. */
    headline: (mode?: ExecutionMode, planId?: string) => `[${modeOf(mode) ?? 'LIFEBOAT'}] ${plan(planId) ?? `Execution ${executionId}`}`,
    /** `the drill of "Payments" v3`, or `execution e-1` before ExecutionStarted. */
    what: (mode?: ExecutionMode, planId?: string) => {
      const known = plan(planId);
      return known ? `the ${kind(mode)} of ${known}` : `execution ${executionId}`;
    },
    wave: (waveId: string) => {
      const known = waveOf(waveId);
      return known ? quoted(known.name) : waveId;
    },
    dependents: (waveId: string) => (context?.waves ?? []).filter((w) => w.dependsOn.includes(waveId)).map((w) => quoted(w.name)),
    servers: (waveId: string) => waveOf(waveId)?.servers.map((s) => s.hostname),
    server: (sourceServerId: string) => {
      const hostname = hostnames.get(sourceServerId);
      return hostname ? `${hostname} (${sourceServerId})` : sourceServerId;
    },
  };
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function lines(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('\n');
}

/** Renders the message about an execution event, with a link to the execution when the console URL is known. */
export function renderMessage(event: NotifiableEvent, context: ExecutionContext | undefined, options: RenderOptions = {}): Message {
  const { consoleUrl } = options;
  const open = consoleUrl ? [{ label: 'Open the execution', url: executionLink(consoleUrl, event.data.executionId) }] : [];
  const body = renderBody(event, context, consoleUrl);
  const links = [...body.links, ...open];
  return { ...body, links, text: lines(body.text, ...open.map((l) => `${l.label}: ${l.url}`)) };
}

function renderBody(event: NotifiableEvent, context: ExecutionContext | undefined, consoleUrl: string | undefined): Message {
  const name = namer(event.data.executionId, context);
  const execution = `Execution: ${event.data.executionId}`;
  switch (event.type) {
    case 'ExecutionStarted': {
      const { mode, plan, executionId } = event.data;
      const started = namer(executionId, contextOf(event.data));
      const waves = plan.waves.map((w) => (w.dependsOn.length > 0 ? `${quoted(w.name)} (after ${w.dependsOn.map(started.wave).join(', ')})` : quoted(w.name)));
      const servers = plan.waves.reduce((n, w) => n + w.servers.length, 0);
      return {
        severity: 'INFO',
        links: [],
        subject: subjectLine(`${started.headline()}: ${started.kind()} started`),
        text: lines(
          `A ${mode === 'DRILL' ? 'drill' : 'real recovery'} of recovery plan ${quoted(plan.name)} (version ${event.data.planVersion}) started: ${plan.waves.length} wave(s), ${servers} server(s).`,
          `Waves: ${listOf(waves)}.`,
          mode === 'DRILL'
            ? 'Drill instances are launched in the drill network; production servers are not touched.'
            : 'This is a real recovery: servers are launched in the recovery region from their latest recovery points.',
          'Needed from you: nothing now. You will be told when each wave completes or fails.',
          execution,
        ),
      };
    }
    case 'WaveCompleted': {
      const { waveId } = event.data;
      const servers = name.servers(waveId);
      const next = name.dependents(waveId);
      return {
        severity: 'SUCCESS',
        links: [],
        subject: subjectLine(`${name.headline()}: wave ${name.wave(waveId)} completed`),
        text: lines(
          `Wave ${name.wave(waveId)} of ${name.what()} completed: its servers are launched and verified (an optional server that failed is reported in the execution).`,
          servers && servers.length > 0 && `Servers: ${listOf(servers)}.`,
          next.length > 0 ? `Next: ${listOf(next)} can start once every wave they depend on has completed.` : context && 'No wave depends on it.',
          'Needed from you: nothing.',
          execution,
        ),
      };
    }
    case 'WaveFailed': {
      const { waveId, reason, failedServerIds } = event.data;
      const blocked = name.dependents(waveId);
      return {
        severity: 'FAILURE',
        links: [],
        subject: subjectLine(`${name.headline()}: wave ${name.wave(waveId)} FAILED`),
        text: lines(
          `Wave ${name.wave(waveId)} of ${name.what()} failed: ${reason}`,
          failedServerIds.length > 0 && `Failed servers: ${listOf(failedServerIds.map(name.server))}.`,
          blocked.length > 0 && `Waves that depend on it (${listOf(blocked)}) cannot start until it completes.`,
          `Needed from you: open the execution to see why the servers failed, then retry the failed servers or cancel the ${name.kind()}.`,
          execution,
        ),
      };
    }
    case 'ExecutionCompleted': {
      const { mode, planId, durationMs } = event.data;
      const took = formatDuration(durationMs);
      return {
        severity: 'SUCCESS',
        links: [],
        subject: subjectLine(`${name.headline(mode, planId)}: ${name.kind(mode)} completed in ${took}`),
        text: lines(
          `${capitalized(name.what(mode, planId))} completed in ${took}: every wave completed.`,
          mode === 'DRILL'
            ? 'Needed from you: check the applications on the drill instances, then clean up the drill (drill instances cost money until they are terminated).'
            : 'Needed from you: confirm the applications work in the recovery region and that users reach them; plan reprotection and failback.',
          execution,
        ),
      };
    }
    case 'ExecutionFailed': {
      const { mode, planId, reason } = event.data;
      return {
        severity: 'FAILURE',
        links: [],
        subject: subjectLine(`${name.headline(mode, planId)}: ${name.kind(mode)} FAILED`),
        text: lines(
          `${capitalized(name.what(mode, planId))} failed: ${reason}`,
          mode === 'DRILL'
            ? 'Needed from you: open the execution to see which servers failed and why; clean up the drill when you are done investigating.'
            : 'Needed from you: act now. Open the execution to see which servers failed and why, then retry the failed servers or recover them by hand.',
          execution,
        ),
      };
    }
    case 'ApprovalRequested': {
      const { approvalId, kind, waveId, prompt, approverRole, permission, expiresAt } = event.data;
      const decide = (decision: 'approve' | 'reject') => (consoleUrl ? executionLink(consoleUrl, event.data.executionId, { approvalId, decision }) : undefined);
      const approve = decide('approve');
      const reject = decide('reject');
      const mode: ExecutionMode | undefined = permission === 'recovery:approve' ? 'RECOVERY' : context?.mode ?? 'DRILL';
      const who = approverRole ? `someone with the ${approverRole} role` : `someone with the ${permission} permission`;
      return {
        severity: 'ACTION_REQUIRED',
        links: [...(approve ? [{ label: 'Approve', url: approve }] : []), ...(reject ? [{ label: 'Reject', url: reject }] : [])],
        subject: subjectLine(`${name.headline(mode)}: approval needed${waveId ? ` (wave ${name.wave(waveId)})` : ''}`),
        text: lines(
          kind === 'SECOND_APPROVER'
            ? `${capitalized(name.what(mode))} waits for a second person to approve it.`
            : `${capitalized(name.what(mode))} waits for approval${waveId ? ` in wave ${name.wave(waveId)}` : ''}: ${prompt}`,
          kind === 'SECOND_APPROVER' && `Prompt: ${prompt}`,
          `Needed from you: ${who} approves or rejects it${expiresAt ? ` before ${expiresAt}` : ''}. The links open the console; you decide there after signing in (the person who started it may not approve).`,
          approve && `Approve: ${approve}`,
          reject && `Reject: ${reject}`,
          execution,
        ),
      };
    }
    case 'DrillCleanupCompleted': {
      const { terminatedRecoveryInstanceIds, failed } = event.data;
      return {
        severity: failed.length > 0 ? 'FAILURE' : 'SUCCESS',
        links: [],
        subject: subjectLine(`${name.headline('DRILL')}: drill cleanup ${failed.length > 0 ? 'INCOMPLETE' : 'completed'}`),
        text: lines(
          `The cleanup of ${name.what('DRILL')} terminated ${terminatedRecoveryInstanceIds.length} drill instance(s).`,
          failed.length > 0 && `Not terminated: ${listOf(failed.map((f) => `${f.recoveryInstanceId} (${f.reason})`))}.`,
          failed.length > 0 ? 'Needed from you: terminate the instances left, or retry the cleanup; they cost money until they are gone.' : 'Needed from you: nothing.',
          execution,
        ),
      };
    }
    default: {
      const unexpected: never = event;
      throw new Error(`No message for ${(unexpected as { type: string }).type}`);
    }
  }
}
