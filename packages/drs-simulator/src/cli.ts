/**
 * `npm run sim`: the DRS simulator on its own (with the EC2, SSM and STS calls Lambdas make, all on
 * one URL).
 *   --port <n>          default 4599 (0: a free port)
 *   --host <addr>       default 127.0.0.1
 *   --fleet <file>      a fleet in YAML or JSON (the demo fleet without it)
 *   --generate <n>      a generated fleet of n source servers instead (deterministic for --seed)
 *   --accounts <n>      with --generate: the number of accounts (default: about 250 servers each)
 *   --regions <a,b>     with --generate: the regions of every account (default us-east-1)
 *   --time-scale <x>    real time per simulated time, default 0.01
 *   --seed <n>          default 1
 *   --state <file>      persist the state there and resume from it at the next start (its fleet and
 *                       seed win over --fleet / --generate / --seed)
 * Prints the endpoint and the AWS_ENDPOINT_URL_* variables to set, then every emitted aws.drs
 * event as one JSON line on stdout.
 */
import { parseArgs } from 'node:util';
import { FleetError, generateFleet, loadFleetFile, startDrsSimulator, type Fleet } from './index.js';

const USAGE = 'usage: npm run sim -- [--port 4599] [--host 127.0.0.1] [--fleet fleet.yaml | --generate 4000 [--accounts 16] [--regions us-east-1,us-west-2]] [--time-scale 0.01] [--seed 1] [--state state.json]';

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function numberFlag(name: string, value: string | undefined, check: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) fail(`--${name}: invalid value '${value}'`);
  return n;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        fleet: { type: 'string' },
        generate: { type: 'string' },
        accounts: { type: 'string' },
        regions: { type: 'string' },
        'time-scale': { type: 'string' },
        seed: { type: 'string' },
        state: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const str = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const port = numberFlag('port', str('port'), (n) => Number.isInteger(n) && n >= 0 && n < 65536) ?? 4599;
  const timeScale = numberFlag('time-scale', str('time-scale'), (n) => n >= 0);
  const seed = numberFlag('seed', str('seed'), Number.isInteger);
  const generate = numberFlag('generate', str('generate'), (n) => Number.isInteger(n) && n >= 0);
  const accounts = numberFlag('accounts', str('accounts'), (n) => Number.isInteger(n) && n >= 1);
  const regions = str('regions')?.split(',').map((r) => r.trim()).filter(Boolean);
  let fleet: Fleet | undefined;
  const fleetPath = str('fleet');
  if (fleetPath && generate !== undefined) fail('--fleet and --generate cannot be used together');
  if (generate === undefined && (accounts !== undefined || regions !== undefined)) fail('--accounts and --regions go with --generate');
  if (fleetPath) {
    try {
      fleet = await loadFleetFile(fleetPath);
    } catch (error) {
      fail(error instanceof FleetError ? error.message : String(error));
    }
  } else if (generate !== undefined) {
    try {
      fleet = generateFleet({
        servers: generate,
        ...(accounts !== undefined ? { accounts } : {}),
        ...(regions && regions.length > 0 ? { regions } : {}),
        ...(seed !== undefined ? { seed } : {}),
      });
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
  }

  const handle = await startDrsSimulator({
    port,
    host: str('host') ?? '127.0.0.1',
    ...(fleet ? { fleet } : {}),
    ...(timeScale !== undefined ? { timeScale } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(str('state') ? { stateFile: str('state') } : {}),
    publishEvents: async (events) => {
      for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
    },
  }).catch((error: unknown) => fail(`cannot start the simulator: ${error instanceof Error ? error.message : String(error)}`));

  const sim = handle.simulator;
  const account = sim.fleet.accounts[0];
  const region = account?.regions[0] ?? 'us-east-1';
  const shown = sim.fleet.accounts.slice(0, 6).map((a) => `${a.accountId} (${a.regions.join(', ')})`).join('; ');
  const more = sim.fleet.accounts.length > 6 ? ` and ${sim.fleet.accounts.length - 6} more accounts` : '';
  const roles = sim.fleet.accounts.flatMap((a) => (a.roles ?? []).map((r) => `arn:aws:iam::${a.accountId}:role/${r.roleName}`));
  const key = account?.accessKeyIds?.[0];
  process.stdout.write([
    `DRS simulator (DRS, EC2, SSM, STS) listening on ${handle.url}`,
    `  fleet: ${shown}${more}, ${sim.sourceServers().length} source servers`,
    ...(key ? [`  access key of ${account?.accountId ?? ''}: ${key} (any secret)`] : []),
    ...(roles.length > 0 ? [`  roles for sts assume-role: ${roles.slice(0, 3).join(', ')}${roles.length > 3 ? `, ... (${roles.length})` : ''}`] : []),
    `  seed ${sim.seed}, time scale ${sim.timeScale}; control API: ${handle.url}/_simulator/health`,
    ...(sim.stateFile ? [`  state: ${sim.stateFile}${sim.restored ? ` (resumed: ${sim.restored.jobs} jobs, ${sim.restored.activeJobs} in flight, saved ${sim.restored.savedAt})` : ' (new)'}`] : []),
    `  try: aws drs describe-source-servers --endpoint-url ${handle.url} --region ${region}`,
    `  or:  ${['DRS', 'EC2', 'SSM', 'STS'].map((s) => `AWS_ENDPOINT_URL_${s}=${handle.url}`).join(' ')}`,
    '       (any credentials act as the fleet account listing the access key, else the first; the SigV4 scope picks the region)',
    '',
  ].join('\n'));

  const shutdown = () => {
    void handle.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
