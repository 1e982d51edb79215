/**
 * `npm run sim`: the DRS simulator on its own.
 *   --port <n>          default 4599 (0: a free port)
 *   --host <addr>       default 127.0.0.1
 *   --fleet <file>      a fleet in YAML or JSON (the demo fleet without it)
 *   --time-scale <x>    real time per simulated time, default 0.01
 *   --seed <n>          default 1
 * Prints the endpoint, then every emitted aws.drs event as one JSON line on stdout.
 */
import { parseArgs } from 'node:util';
import { FleetError, loadFleetFile, startDrsSimulator, type Fleet } from './index.js';

const USAGE = 'usage: npm run sim -- [--port 4599] [--host 127.0.0.1] [--fleet fleet.yaml] [--time-scale 0.01] [--seed 1]';

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
        'time-scale': { type: 'string' },
        seed: { type: 'string' },
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
  let fleet: Fleet | undefined;
  const fleetPath = str('fleet');
  if (fleetPath) {
    try {
      fleet = await loadFleetFile(fleetPath);
    } catch (error) {
      fail(error instanceof FleetError ? error.message : String(error));
    }
  }

  const handle = await startDrsSimulator({
    port,
    host: str('host') ?? '127.0.0.1',
    ...(fleet ? { fleet } : {}),
    ...(timeScale !== undefined ? { timeScale } : {}),
    ...(seed !== undefined ? { seed } : {}),
    publishEvents: async (events) => {
      for (const event of events) process.stdout.write(`${JSON.stringify(event)}\n`);
    },
  }).catch((error: unknown) => fail(`cannot start the simulator: ${error instanceof Error ? error.message : String(error)}`));

  const sim = handle.simulator;
  const account = sim.fleet.accounts[0];
  const region = account?.regions[0] ?? 'us-east-1';
  process.stdout.write([
    `DRS simulator listening on ${handle.url}`,
    `  fleet: ${sim.fleet.accounts.map((a) => `${a.accountId} (${a.regions.join(', ')})`).join('; ')}, ${sim.sourceServers().length} source servers`,
    `  seed ${sim.seed}, time scale ${sim.timeScale}; control API: ${handle.url}/_simulator/health`,
    `  try: aws drs describe-source-servers --endpoint-url ${handle.url} --region ${region}`,
    `  or:  AWS_ENDPOINT_URL_DRS=${handle.url} (any credentials; the SigV4 scope picks the region)`,
    '',
  ].join('\n'));

  const shutdown = () => {
    void handle.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
