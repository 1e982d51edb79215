/**
 * What the DRS simulator saw, for scenario tests to assert on: its call log (GET /_simulator/calls),
 * its own invariants (GET /_simulator/invariants: no server launched twice within an execution, no
 * call refused for a quota or for a server already busy) and, from DescribeJobs, the peak number of
 * active jobs and of servers in active jobs per account and region over the whole run.
 *
 * The audit's own DescribeJobs calls are made with AUDIT_ACCESS_KEY_ID so that they can be left
 * out of the product's call counts.
 */
import { DrsClient, paginateDescribeJobs, type Job } from '@aws-sdk/client-drs';
import type { InvariantReport } from '@lifeboat/drs-simulator';

/** DRS's default quotas per account and region (ARCHITECTURE §3). */
export const DRS_QUOTAS = { serversPerJob: 100, concurrentJobs: 20, serversInActiveJobs: 500 } as const;

/** The tag Lifeboat puts on every job it starts (services/execution/src/adapters/drs.ts). */
export const EXECUTION_TAG = 'lifeboat:execution-id';

/** The access key of the audit's own calls (left out of the product's call counts). */
export const AUDIT_ACCESS_KEY_ID = 'AKIDSCENARIOAUDIT';

/** One call of the simulator's call log (any protocol), as GET /_simulator/calls answers it. */
export interface SimulatorCall {
  seq: number;
  time: string;
  service: string;
  operation: string;
  accountId: string;
  region: string;
  accessKeyId?: string;
  outcome: 'OK' | 'ERROR';
  statusCode: number;
  errorType?: string;
  errorMessage?: string;
  fault?: string;
  sourceServerIDs?: string[];
  tags?: Record<string, string>;
  isDrill?: boolean;
  jobID?: string;
}

/** GET /_simulator/invariants answers the simulator's own report. */
export type { InvariantReport, RejectedCall } from '@lifeboat/drs-simulator';

/** A DRS job as DescribeJobs lists it, reduced to what the audit needs. */
export interface AuditedJob {
  jobId: string;
  accountId: string;
  region: string;
  type: string;
  status: string;
  createdMs: number;
  /** Undefined while the job is still active. */
  endedMs: number | undefined;
  servers: { sourceServerId: string; launchStatus: string | undefined }[];
  tags: Record<string, string>;
}

export interface ActivePeak {
  accountId: string;
  region: string;
  /** The most jobs active at one instant. */
  jobs: number;
  /** The most source servers in active jobs at one instant. */
  servers: number;
}

export interface DrsAudit {
  calls: SimulatorCall[];
  invariants: InvariantReport;
  jobs: AuditedJob[];
  peaks: ActivePeak[];
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** The simulator's call log (every protocol), optionally filtered as the control API allows. */
export async function simulatorCalls(drsUrl: string, filter: { service?: string; operation?: string; since?: number } = {}): Promise<SimulatorCall[]> {
  const query = new URLSearchParams(Object.entries(filter).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])));
  const { calls } = await getJson<{ calls: SimulatorCall[] }>(`${drsUrl}/_simulator/calls${query.size > 0 ? `?${query}` : ''}`);
  return calls;
}

export async function simulatorInvariants(drsUrl: string): Promise<InvariantReport> {
  return getJson<InvariantReport>(`${drsUrl}/_simulator/invariants`);
}

/** What every execution scenario asserts after it ran: no server launched twice in an execution, no launch refused for quota. */
export async function launchInvariants(drsUrl: string): Promise<Pick<InvariantReport, 'duplicateLaunches' | 'quotaRejections' | 'violations'>> {
  const { duplicateLaunches, quotaRejections, violations } = await simulatorInvariants(drsUrl);
  return { duplicateLaunches, quotaRejections, violations };
}

export const HEALTHY_LAUNCHES = { duplicateLaunches: [], quotaRejections: [], violations: [] };

/** Merges `plan` into the simulator's fault plan (PATCH /_simulator/faults; a null key removes it). */
export async function patchFaults(drsUrl: string, plan: Record<string, unknown>): Promise<unknown> {
  const response = await fetch(`${drsUrl}/_simulator/faults`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) });
  if (!response.ok) throw new Error(`PATCH /_simulator/faults answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** Clears every fault (DELETE /_simulator/faults). */
export async function clearFaults(drsUrl: string): Promise<void> {
  const response = await fetch(`${drsUrl}/_simulator/faults`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`DELETE /_simulator/faults answered ${response.status}: ${await response.text()}`);
}

/** Every job of the (first) fleet account, through the DRS API as any client would list them. */
export async function drsJobs(drsUrl: string, region = 'us-east-1'): Promise<AuditedJob[]> {
  const client = new DrsClient({ region, endpoint: drsUrl, credentials: { accessKeyId: AUDIT_ACCESS_KEY_ID, secretAccessKey: 'scenario' } });
  const jobs: AuditedJob[] = [];
  try {
    for await (const page of paginateDescribeJobs({ client, pageSize: 1000 }, {})) for (const job of page.items ?? []) jobs.push(audited(job));
  } finally {
    client.destroy();
  }
  return jobs;
}

function audited(job: Job): AuditedJob {
  // arn:aws:drs:<region>:<account>:job/<id>
  const [, , , region = '', accountId = ''] = (job.arn ?? '').split(':');
  return {
    jobId: job.jobID ?? '',
    accountId,
    region,
    type: job.type ?? '',
    status: job.status ?? '',
    createdMs: Date.parse(job.creationDateTime ?? ''),
    endedMs: job.endDateTime ? Date.parse(job.endDateTime) : undefined,
    servers: (job.participatingServers ?? []).map((s) => ({ sourceServerId: s.sourceServerID ?? '', launchStatus: s.launchStatus })),
    tags: job.tags ?? {},
  };
}

/**
 * The most jobs, and the most servers in jobs, active at one instant, per account and region: a
 * sweep over each job's [creation, end) interval (a job ending at the instant another starts does
 * not overlap it; a job still active counts until now).
 */
export function activePeaks(jobs: readonly AuditedJob[], now = Date.now()): ActivePeak[] {
  const byTarget = new Map<string, AuditedJob[]>();
  for (const job of jobs) {
    const key = `${job.accountId}|${job.region}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), job]);
  }
  return [...byTarget.entries()].map(([key, list]) => {
    const [accountId = '', region = ''] = key.split('|');
    const edges = list.flatMap((j) => [
      { at: j.createdMs, jobs: 1, servers: j.servers.length },
      { at: j.endedMs ?? now, jobs: -1, servers: -j.servers.length },
    ]);
    // Ends before starts at the same instant.
    edges.sort((a, b) => a.at - b.at || a.jobs - b.jobs);
    let jobsNow = 0;
    let serversNow = 0;
    const peak = { accountId, region, jobs: 0, servers: 0 };
    for (const edge of edges) {
      jobsNow += edge.jobs;
      serversNow += edge.servers;
      peak.jobs = Math.max(peak.jobs, jobsNow);
      peak.servers = Math.max(peak.servers, serversNow);
    }
    return peak;
  });
}

/** The call log, the simulator's invariants, the jobs and their peaks, in one go. */
export async function auditDrs(drsUrl: string): Promise<DrsAudit> {
  const calls = await simulatorCalls(drsUrl);
  const invariants = await simulatorInvariants(drsUrl);
  const jobs = await drsJobs(drsUrl);
  return { calls, invariants, jobs, peaks: activePeaks(jobs) };
}

/** The calls Lifeboat made (the audit's own calls left out). */
export function productCalls(calls: readonly SimulatorCall[]): SimulatorCall[] {
  return calls.filter((c) => c.accessKeyId !== AUDIT_ACCESS_KEY_ID);
}

/** StartRecovery calls of one execution (by the job tag Lifeboat sets), accepted or not. */
export function startRecoveryCalls(calls: readonly SimulatorCall[], executionId?: string): SimulatorCall[] {
  return calls.filter((c) => c.service === 'drs' && c.operation === 'StartRecovery' && (executionId === undefined || c.tags?.[EXECUTION_TAG] === executionId));
}

/** The servers DRS accepted to launch for an execution, one entry per launch. */
export function launchedServerIds(calls: readonly SimulatorCall[], executionId: string): string[] {
  return startRecoveryCalls(calls, executionId).filter((c) => c.outcome === 'OK').flatMap((c) => c.sourceServerIDs ?? []);
}

/** Each id that occurs more than once, with its count. */
export function repeated(ids: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return Object.fromEntries([...counts.entries()].filter(([, n]) => n > 1));
}

/** Calls refused with ServiceQuotaExceededException, as one line each. */
export function quotaRefusals(calls: readonly SimulatorCall[]): string[] {
  return calls.filter((c) => c.errorType === 'ServiceQuotaExceededException').map((c) => `#${c.seq} ${c.operation} (${c.sourceServerIDs?.length ?? 0} servers): ${c.errorMessage ?? ''}`);
}

/** Number of calls per `service:operation`, most frequent first. */
export function callsByOperation(calls: readonly SimulatorCall[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(`${c.service}:${c.operation}`, (counts.get(`${c.service}:${c.operation}`) ?? 0) + 1);
  return Object.fromEntries([...counts.entries()].sort((a, b) => b[1] - a[1]));
}

/**
 * The quota and launch-once facts of a run, as plain values so that one `toEqual` shows every
 * problem at once: no invariant violation of the simulator (duplicate launches within the given
 * executions, calls refused for a quota or for a busy server), no quota refusal in the call log, no
 * StartRecovery above the per-job quota, peaks within the concurrent-jobs and servers-in-active-jobs
 * quotas, and for each given execution no server launched twice. `sinceMs` leaves out what happened
 * before a scenario began on a shared stack.
 */
export function quotaAndLaunchFacts(audit: DrsAudit, executionIds: readonly string[], sinceMs = 0) {
  const at = (time: string) => Date.parse(time) >= sinceMs;
  const product = productCalls(audit.calls).filter((c) => at(c.time));
  const starts = startRecoveryCalls(product);
  const { duplicateLaunches, quotaRejections, conflicts } = audit.invariants;
  const recentJobs = audit.jobs.filter((j) => j.endedMs === undefined || j.endedMs >= sinceMs);
  return {
    invariantViolations: [
      ...duplicateLaunches.filter((d) => executionIds.includes(d.tagValue)).map((d) => `server ${d.sourceServerID} launched again by call #${d.callSeq} in execution ${d.tagValue} (already in job ${d.firstJobID})`),
      ...[...quotaRejections, ...conflicts].filter((r) => at(r.time)).map((r) => `call #${r.callSeq} ${r.operation}: ${r.errorType}: ${r.message}`),
    ],
    quotaRefusals: quotaRefusals(product),
    startRecoveryAboveJobQuota: starts.filter((c) => (c.sourceServerIDs?.length ?? 0) > DRS_QUOTAS.serversPerJob).map((c) => `#${c.seq}: ${c.sourceServerIDs?.length} servers`),
    peaksAboveQuotas: activePeaks(recentJobs)
      .filter((p) => p.jobs > DRS_QUOTAS.concurrentJobs || p.servers > DRS_QUOTAS.serversInActiveJobs)
      .map((p) => `${p.accountId}/${p.region}: ${p.jobs} active jobs, ${p.servers} servers in active jobs`),
    serversLaunchedTwice: Object.fromEntries(executionIds.map((id) => [id, repeated(launchedServerIds(product, id))])),
  };
}

/** What quotaAndLaunchFacts answers when all is well. */
export function healthyFacts(executionIds: readonly string[]) {
  return {
    invariantViolations: [],
    quotaRefusals: [],
    startRecoveryAboveJobQuota: [],
    peaksAboveQuotas: [],
    serversLaunchedTwice: Object.fromEntries(executionIds.map((id) => [id, {}])),
  };
}

/** One aws.drs event the simulator emitted (GET /_simulator/events), with the fault applied to it. */
export interface SimulatorEvent {
  event: { id: string; 'detail-type': string; resources: string[]; detail: { state?: string; 'job-id'?: string } };
  status: string;
  fault?: 'LOST' | 'DUPLICATED' | 'DELAYED';
}

export async function simulatorEvents(drsUrl: string): Promise<SimulatorEvent[]> {
  return (await getJson<{ events: SimulatorEvent[] }>(`${drsUrl}/_simulator/events`)).events;
}

/** The launch-result events of the given servers (by the source server ARN's id), in emission order. */
export function launchResultEventsOf(events: readonly SimulatorEvent[], sourceServerIds: readonly string[]): (SimulatorEvent & { sourceServerId: string })[] {
  const wanted = new Set(sourceServerIds);
  return events.flatMap((e) => {
    if (e.event['detail-type'] !== 'DRS Source Server Launch Result') return [];
    const sourceServerId = e.event.resources.map((arn) => arn.split('/').pop() ?? '').find((id) => wanted.has(id));
    return sourceServerId ? [{ ...e, sourceServerId }] : [];
  });
}
