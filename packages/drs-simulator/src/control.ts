/**
 * The control and inspection API under /_simulator/ (JSON), for tests, demos and operators:
 *
 *   GET    health              fleet, quotas, time scale, counts
 *   GET    calls               the log of every call of every protocol (?service=&operation=&accountId=&since=<seq>)
 *   GET    events              the aws.drs events emitted and their delivery
 *   GET    invariants          no server launched twice, no quota exceeded (?tagKey=)
 *   POST   reset               back to the fleet as loaded
 *   GET    faults              the fault plan in force (and the counts left on counted rules)
 *   POST   faults              replaces the plan (body: a FaultPlan); ?merge=true merges into it
 *   PATCH  faults              merges into the plan (top-level keys replace; a null key removes)
 *   DELETE faults              clears every fault
 *   POST   time-scale          { "scale": 0.001 }: real time per simulated time, from now on
 *   GET    sessions            the temporary credentials AssumeRole issued
 */
import { FaultPlanError, parseFaultPlan } from './faults.js';
import type { FaultPlan } from './fleet.js';
import { EDGE_SERVICES, isRecord, type HttpAnswer } from './protocols/common.js';
import type { SimulatorEdge } from './protocols/edge.js';

export const CONTROL_PREFIX = '/_simulator/';

const ROUTES = [
  'GET health', 'GET calls', 'GET events', 'GET invariants', 'POST reset', 'GET faults', 'POST faults', 'PATCH faults',
  'DELETE faults', 'POST time-scale', 'GET sessions',
];

function json(status: number, body: unknown): HttpAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

const badRequest = (message: string, problems: string[] = []) => json(400, { message, ...(problems.length > 0 ? { problems } : {}) });

function parseBody(body: string): { ok: true; value: unknown } | { ok: false; answer: HttpAnswer } {
  if (body.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false, answer: badRequest('The request body is not valid JSON') };
  }
}

function readPlan(value: unknown): { ok: true; plan: FaultPlan; removed: string[] } | { ok: false; answer: HttpAnswer } {
  if (!isRecord(value)) return { ok: false, answer: badRequest('The fault plan must be a JSON object') };
  const removed = Object.keys(value).filter((k) => value[k] === null);
  const rest = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
  try {
    return { ok: true, plan: parseFaultPlan(rest), removed };
  } catch (error) {
    if (error instanceof FaultPlanError) return { ok: false, answer: badRequest(error.message, error.problems) };
    throw error;
  }
}

function faultsView(edge: SimulatorEdge): unknown {
  return { faults: edge.faultPlan(), remaining: edge.faults.remainingCounts() };
}

/** Answers a control request (`path` is what follows /_simulator/). */
export function handleControl(edge: SimulatorEdge, method: string, url: URL, body: string): HttpAnswer {
  const sim = edge.simulator;
  const route = `${method} ${url.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '')}`;
  switch (route) {
    case 'GET health': {
      const jobs = sim.jobs();
      return json(200, {
        status: 'ok',
        protocols: EDGE_SERVICES,
        seed: sim.seed,
        timeScale: sim.timeScale,
        quotas: sim.quotas,
        accounts: sim.fleet.accounts.map((a) => ({ accountId: a.accountId, regions: a.regions, roles: (a.roles ?? []).map((r) => r.roleName) })),
        sourceServers: sim.sourceServers().length,
        jobs: jobs.length,
        activeJobs: jobs.filter((j) => j.status !== 'COMPLETED').length,
        recoveryInstances: sim.recoveryInstances().length,
        calls: edge.callLog.length,
        sessions: edge.accounts.sessions().filter((s) => !s.expired).length,
        faults: edge.faultPlan(),
        ...(sim.stateFile ? { stateFile: sim.stateFile, ...(sim.restored ? { restored: sim.restored } : {}) } : {}),
      });
    }
    case 'GET calls': {
      const service = url.searchParams.get('service');
      const operation = url.searchParams.get('operation');
      const accountId = url.searchParams.get('accountId');
      const since = Number(url.searchParams.get('since') ?? '0');
      if (!Number.isInteger(since) || since < 0) return badRequest('since must be a call sequence number >= 0');
      const calls = edge.callLog.filter((c) => (!service || c.service === service) && (!operation || c.operation === operation)
        && (!accountId || c.accountId === accountId) && c.seq > since);
      return json(200, { calls });
    }
    case 'GET events':
      return json(200, { events: sim.eventLog });
    case 'GET invariants': {
      const tagKey = url.searchParams.get('tagKey');
      return json(200, sim.checkInvariants(tagKey ? { groupTagKey: tagKey } : {}));
    }
    case 'POST reset':
      edge.reset();
      return json(200, { status: 'reset' });
    case 'GET sessions':
      return json(200, { sessions: edge.accounts.sessions() });
    case 'GET faults':
      return json(200, faultsView(edge));
    case 'DELETE faults':
      edge.setFaultPlan({});
      return json(200, faultsView(edge));
    case 'POST faults':
    case 'PATCH faults': {
      const parsed = parseBody(body);
      if (!parsed.ok) return parsed.answer;
      const read = readPlan(parsed.value);
      if (!read.ok) return read.answer;
      const merge = method === 'PATCH' || url.searchParams.get('merge') === 'true';
      if (!merge && read.removed.length > 0) return badRequest(`null is only meaningful when merging (PATCH): ${read.removed.join(', ')}`);
      const plan: FaultPlan = merge ? { ...edge.faultPlan(), ...read.plan } : read.plan;
      for (const key of read.removed) delete (plan as Record<string, unknown>)[key];
      try {
        edge.setFaultPlan(plan);
      } catch (error) {
        if (error instanceof FaultPlanError) return badRequest(error.message, error.problems);
        throw error;
      }
      return json(200, faultsView(edge));
    }
    case 'POST time-scale': {
      const parsed = parseBody(body);
      if (!parsed.ok) return parsed.answer;
      const scale = isRecord(parsed.value) ? parsed.value.scale : undefined;
      if (typeof scale !== 'number' || !Number.isFinite(scale) || scale < 0) return badRequest('Send { "scale": <number >= 0> } (real time per simulated time; 0.01 turns a 5-minute launch into 3 s)');
      edge.setTimeScale(scale);
      return json(200, { timeScale: sim.timeScale });
    }
    default:
      return json(404, { message: `Unknown control route ${route}; try ${ROUTES.map((r) => r.replace(' ', ` ${CONTROL_PREFIX}`)).join(', ')}` });
  }
}
