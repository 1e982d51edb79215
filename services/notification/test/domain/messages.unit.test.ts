import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext, Message, NotifiableEvent } from '../../src/domain/messages.js';
import { contextOf, formatDuration, renderMessage, subjectLine } from '../../src/domain/messages.js';
import { DB_2, executionCompleted, executionFailed, executionStarted, waveCompleted, waveFailed } from '../support/events.js';

/** given what the service knows of the execution / when an event arrives / then this message */
function given(context: ExecutionContext | undefined) {
  return { when: (event: NotifiableEvent): Message => renderMessage(event, context) };
}

const drill = contextOf(executionStarted());
const recovery = contextOf(executionStarted({ mode: 'RECOVERY' }));
const nothingKnown = undefined;

describe('ExecutionStarted', () => {
  it('announces a drill with its plan, waves and servers, and asks for nothing', () => {
    const message = given(nothingKnown).when({ type: 'ExecutionStarted', data: executionStarted() });

    expect(message.subject).toBe('[DRILL] "Payments" v3: drill started');
    expect(message.severity).toBe('INFO');
    expect(message.text).toContain('A drill of recovery plan "Payments" (version 3) started: 3 wave(s), 3 server(s).');
    expect(message.text).toContain('Waves: "Database", "App" (after "Database"), "Web" (after "App").');
    expect(message.text).toContain('production servers are not touched');
    expect(message.text).toContain('Needed from you: nothing now.');
    expect(message.text).toContain('Execution: exec-1');
  });

  it('says plainly that a recovery is real', () => {
    const message = given(nothingKnown).when({ type: 'ExecutionStarted', data: executionStarted({ mode: 'RECOVERY' }) });

    expect(message.subject).toBe('[RECOVERY] "Payments" v3: recovery started');
    expect(message.text).toContain('A real recovery of recovery plan "Payments"');
  });
});

describe('WaveCompleted', () => {
  it('names the wave, its servers and what comes next', () => {
    const message = given(drill).when({ type: 'WaveCompleted', data: waveCompleted() });

    expect(message).toMatchObject({ severity: 'SUCCESS', subject: '[DRILL] "Payments" v3: wave "Database" completed' });
    expect(message.text).toContain('Wave "Database" of the drill of "Payments" v3 completed');
    expect(message.text).toContain('Servers: db-1, db-2.');
    expect(message.text).toContain('Next: "App" can start');
    expect(message.text).toContain('Needed from you: nothing.');
  });

  it('says when no wave depends on the completed one', () => {
    expect(given(drill).when({ type: 'WaveCompleted', data: waveCompleted({ waveId: 'wave-web' }) }).text).toContain('No wave depends on it.');
  });

  it('given the event overtook its ExecutionStarted, then names ids instead of names', () => {
    const message = given(nothingKnown).when({ type: 'WaveCompleted', data: waveCompleted() });

    expect(message.subject).toBe('[LIFEBOAT] Execution exec-1: wave wave-db completed');
    expect(message.text).toContain('Wave wave-db of execution exec-1 completed');
  });
});

describe('WaveFailed', () => {
  it('names the failed servers by hostname, the waves held back and what to do', () => {
    const message = given(recovery).when({ type: 'WaveFailed', data: waveFailed() });

    expect(message).toMatchObject({ severity: 'FAILURE', subject: '[RECOVERY] "Payments" v3: wave "Database" FAILED' });
    expect(message.text).toContain('Wave "Database" of the recovery of "Payments" v3 failed: critical server db-2 failed verification');
    expect(message.text).toContain(`Failed servers: db-2 (${DB_2}).`);
    expect(message.text).toContain('Waves that depend on it ("App") cannot start until it completes.');
    expect(message.text).toContain('retry the failed servers or cancel the recovery.');
  });

  it('given nothing known of the execution, then lists server ids', () => {
    expect(given(nothingKnown).when({ type: 'WaveFailed', data: waveFailed() }).text).toContain(`Failed servers: ${DB_2}.`);
  });
});

describe('ExecutionCompleted', () => {
  it('gives the duration and asks to clean up a drill', () => {
    const message = given(drill).when({ type: 'ExecutionCompleted', data: executionCompleted() });

    expect(message).toMatchObject({ severity: 'SUCCESS', subject: '[DRILL] "Payments" v3: drill completed in 12 min 5 s' });
    expect(message.text).toContain('The drill of "Payments" v3 completed in 12 min 5 s: every wave completed.');
    expect(message.text).toContain('clean up the drill');
  });

  it('asks to confirm the applications after a recovery', () => {
    const message = given(recovery).when({ type: 'ExecutionCompleted', data: executionCompleted({ mode: 'RECOVERY' }) });

    expect(message.text).toContain('confirm the applications work in the recovery region');
  });

  it('given nothing known of the execution, then names the plan by id', () => {
    expect(given(nothingKnown).when({ type: 'ExecutionCompleted', data: executionCompleted() }).subject).toBe('[DRILL] plan plan-1: drill completed in 12 min 5 s');
  });
});

describe('ExecutionFailed', () => {
  it('gives the reason and asks for action now in a recovery', () => {
    const message = given(recovery).when({ type: 'ExecutionFailed', data: executionFailed({ mode: 'RECOVERY' }) });

    expect(message).toMatchObject({ severity: 'FAILURE', subject: '[RECOVERY] "Payments" v3: recovery FAILED' });
    expect(message.text).toContain('The recovery of "Payments" v3 failed: wave "Database" failed');
    expect(message.text).toContain('Needed from you: act now.');
  });
});

describe('subjects', () => {
  it('are one line of at most 99 characters, whatever the plan is called', () => {
    const started = executionStarted();
    const message = given(nothingKnown).when({ type: 'ExecutionStarted', data: { ...started, plan: { ...started.plan, name: `Payments\n${'x'.repeat(200)}` } } });

    expect(message.subject).toHaveLength(99);
    expect(message.subject).not.toMatch(/\n/);
    expect(message.subject.startsWith('[DRILL] "Payments xxx')).toBe(true);
    expect(message.subject.endsWith('...')).toBe(true);
  });

  it('subjectLine removes control characters and keeps short lines as they are', () => {
    expect(subjectLine('a\tb\r\nc')).toBe('a b c');
    expect(subjectLine('short')).toBe('short');
  });
});

describe('long lists', () => {
  it('show ten items and count the rest', () => {
    const many = Array.from({ length: 12 }, (_, i) => `s-${String(i).padStart(17, '0')}`);
    const text = given(nothingKnown).when({ type: 'WaveFailed', data: waveFailed({ failedServerIds: many }) }).text;

    expect(text).toContain(`${many[9]} and 2 more.`);
    expect(text).not.toContain(many[10] as string);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [45_000, '45 s'],
    [120_000, '2 min'],
    [725_000, '12 min 5 s'],
    [7_380_000, '2 h 3 min'],
    [3_600_000, '1 h'],
  ])('%i ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('ApprovalRequested', () => {
  const approval = { executionId: 'exec-1', approvalId: 'appr-1', kind: 'STEP' as const, waveId: 'wave-app', stepId: 'st-1', prompt: 'Check the database', permission: 'drill:approve' as const, excludedUserIds: [] };

  it('asks for a decision with approve and reject links that only open the console', () => {
    const message = renderMessage({ type: 'ApprovalRequested', data: approval }, drill, { consoleUrl: 'https://dr.example.com/' });

    expect(message).toMatchObject({ severity: 'ACTION_REQUIRED', subject: '[DRILL] "Payments" v3: approval needed (wave "App")' });
    expect(message.links).toEqual([
      { label: 'Approve', url: 'https://dr.example.com/executions/exec-1?approval=appr-1&decision=approve' },
      { label: 'Reject', url: 'https://dr.example.com/executions/exec-1?approval=appr-1&decision=reject' },
      { label: 'Open the execution', url: 'https://dr.example.com/executions/exec-1' },
    ]);
    expect(message.text).toContain('waits for approval in wave "App": Check the database');
    expect(message.text).toContain('after signing in');
    expect(message.text).toContain('Approve: https://dr.example.com/executions/exec-1?approval=appr-1&decision=approve');
  });

  it('given no console URL, then carries no links', () => {
    expect(renderMessage({ type: 'ApprovalRequested', data: approval }, drill).links).toEqual([]);
  });

  it('names a second approver of a recovery', () => {
    const message = renderMessage({ type: 'ApprovalRequested', data: { ...approval, kind: 'SECOND_APPROVER', waveId: undefined, permission: 'recovery:approve' } }, recovery);

    expect(message.subject).toBe('[RECOVERY] "Payments" v3: approval needed');
    expect(message.text).toContain('The recovery of "Payments" v3 waits for a second person to approve it.');
  });
});

describe('DrillCleanupCompleted', () => {
  it('reports instances left behind as a failure', () => {
    const message = renderMessage({ type: 'DrillCleanupCompleted', data: { executionId: 'exec-1', terminatedRecoveryInstanceIds: ['i-1'], failed: [{ recoveryInstanceId: 'i-2', reason: 'AccessDenied' }] } }, drill);

    expect(message).toMatchObject({ severity: 'FAILURE', subject: '[DRILL] "Payments" v3: drill cleanup INCOMPLETE' });
    expect(message.text).toContain('Not terminated: i-2 (AccessDenied).');
  });
});
