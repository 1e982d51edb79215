/** Shared set-up of the core tests: a simulator on a ManualClock at time scale 1 (simulated = real). */
import { DEMO_ACCOUNT_ID, DrsError, DrsSimulator, ManualClock, type CallerContext, type DrsEvent, type DrsSimulatorOptions, type Job, type SourceServer } from '../src/index.js';

export const ctx: CallerContext = { accountId: DEMO_ACCOUNT_ID, region: 'us-east-1' };
export const MIN = 60_000;

export function setup(options: Partial<DrsSimulatorOptions> = {}) {
  const clock = options.clock instanceof ManualClock ? options.clock : new ManualClock();
  const published: DrsEvent[] = [];
  const sim = new DrsSimulator({
    timeScale: 1,
    seed: 7,
    publishEvents: async (events) => { published.push(...events); },
    ...options,
    clock,
  });
  const byHost = (hostname: string): SourceServer => {
    const s = sim.sourceServers().find((x) => x.sourceProperties.identificationHints?.hostname === hostname);
    if (!s) throw new Error(`no server ${hostname}`);
    return s;
  };
  const id = (hostname: string) => byHost(hostname).sourceServerID;
  const launch = (hosts: string[], extra: { isDrill?: boolean; tags?: Record<string, string>; on?: CallerContext } = {}) =>
    sim.startRecovery(extra.on ?? ctx, {
      sourceServers: hosts.map((h) => ({ sourceServerID: id(h) })),
      ...(extra.isDrill !== undefined ? { isDrill: extra.isDrill } : {}),
      ...(extra.tags ? { tags: extra.tags } : {}),
    });
  const job = (jobID: string): Job => {
    const found = sim.jobs().find((j) => j.jobID === jobID);
    if (!found) throw new Error(`no job ${jobID}`);
    return found;
  };
  return { clock, sim, published, byHost, id, launch, job };
}

export function errorOf(fn: () => unknown): DrsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DrsError) return error;
    throw error;
  }
  throw new Error('expected a DrsError');
}

export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error('expected an error');
}
