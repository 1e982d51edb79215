import { describe, expect, it } from '@jest/globals';
import { evolve, evolveAll, foldExecution, initialState } from '../src/domain/evolve.js';
import { serializeExecutionState } from '../src/domain/snapshot.js';
import { history, jobId, launchResult, plan, recordJob, startExecution, verification } from './support/decider-spec.js';

/** A 3-wave drill of 150 servers to its end: launches, a failure, verifications. */
function drillHistory() {
  const db = Array.from({ length: 120 }, (_, i) => i + 1);
  const app = [121, 122, -123];
  const commands = [
    startExecution(plan({ id: 'db', servers: db }, { id: 'app', dependsOn: ['db'], servers: app })),
    recordJob('db-b1', jobId(1), db.slice(0, 100)),
    recordJob('db-b2', jobId(2), db.slice(100)),
    ...db.map((n) => launchResult(jobId(n <= 100 ? 1 : 2), n)),
    ...db.map((n) => verification(n)),
    recordJob('app-b1', jobId(3), [121, 122, 123]),
    launchResult(jobId(3), 121),
    launchResult(jobId(3), 122),
    launchResult(jobId(3), 123, 'FAILED', 'boom'),
    verification(121),
    verification(122),
  ];
  return history(...commands);
}

describe('evolving many events at once', () => {
  it('given a long history, when folded in one run, then the state equals evolving one event at a time', () => {
    const events = drillHistory();
    expect(events.length).toBeGreaterThan(250);
    const oneByOne = events.reduce(evolve, initialState);
    expect(serializeExecutionState(foldExecution(events))).toEqual(serializeExecutionState(oneByOne));
    expect(foldExecution(events).status).toBe('COMPLETED');
  });

  it('given a state, when events are applied in one run, then that state is left as it was', () => {
    const events = drillHistory();
    const half = Math.floor(events.length / 2);
    const before = foldExecution(events.slice(0, half));
    const frozen = JSON.stringify(serializeExecutionState(before));
    const after = evolveAll(before, events.slice(half));
    expect(JSON.stringify(serializeExecutionState(before))).toBe(frozen);
    expect(serializeExecutionState(after)).toEqual(serializeExecutionState(events.reduce(evolve, initialState)));
  });
});
