import path from 'node:path';
import { DEFAULT_LAUNCH_TIMINGS, loadFleetFile } from '@lifeboat/drs-simulator';
import type { LaunchTimings } from '@lifeboat/drs-simulator';
import { repositoryRoot, startLocalStack } from './stack.js';

/** `npm start`: the whole product on this machine. Settings come from LIFEBOAT_* variables. */
async function main(): Promise<void> {
  // Lambda runs Node 22; the SDK's notice about Node 20 support says nothing about this product.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const root = repositoryRoot();
  const env = process.env;
  const port = Number(env.LIFEBOAT_PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`LIFEBOAT_PORT must be a port number, not ${env.LIFEBOAT_PORT}`);
  const dataDir = path.resolve(env.LIFEBOAT_DATA_DIR ?? path.join(root, '.lifeboat-data'));
  const timeScale = env.LIFEBOAT_DRS_TIME_SCALE ? Number(env.LIFEBOAT_DRS_TIME_SCALE) : undefined;
  const timerTimeScale = env.LIFEBOAT_TIMER_TIME_SCALE ? Number(env.LIFEBOAT_TIMER_TIME_SCALE) : undefined;
  if (timerTimeScale !== undefined && !(timerTimeScale > 0 && timerTimeScale <= 1)) {
    throw new Error(`LIFEBOAT_TIMER_TIME_SCALE must be a number in (0, 1], not ${env.LIFEBOAT_TIMER_TIME_SCALE}`);
  }
  const started = Date.now();

  const stack = await startLocalStack({
    rootDir: root,
    port,
    host: env.LIFEBOAT_HOST ?? '127.0.0.1',
    dataDir,
    ...(env.LIFEBOAT_ADMIN_PASSWORD ? { adminPassword: env.LIFEBOAT_ADMIN_PASSWORD } : {}),
    ...(timeScale !== undefined ? { drsTimeScale: timeScale } : {}),
    ...(timerTimeScale !== undefined ? { timerTimeScale } : {}),
    ...(env.LIFEBOAT_DRS_SEED ? { drsSeed: Number(env.LIFEBOAT_DRS_SEED) } : {}),
    ...(env.LIFEBOAT_DRS_LAUNCH_TIMINGS ? { drsLaunchTimings: launchTimingsOf(env.LIFEBOAT_DRS_LAUNCH_TIMINGS) } : {}),
    ...(env.LIFEBOAT_DRS_FLEET ? { fleet: await loadFleetFile(env.LIFEBOAT_DRS_FLEET) } : {}),
    seedDemo: env.LIFEBOAT_DEMO !== '0',
    ...(env.LIFEBOAT_WEB_DIR ? { webDir: path.resolve(env.LIFEBOAT_WEB_DIR) } : {}),
  });

  const login = stack.generatedAdminPassword
    ? `admin / ${stack.generatedAdminPassword}   (generated now and shown only this once; stored hashed)`
    : env.LIFEBOAT_ADMIN_PASSWORD
      ? 'admin / the password in LIFEBOAT_ADMIN_PASSWORD'
      : 'admin / the password printed at the first start (delete the data folder to start over)';
  process.stdout.write(
    [
      '',
      `Lifeboat is running at ${stack.url}  (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      `  GraphQL        ${stack.graphqlUrl}  (subscriptions: ${stack.graphqlUrl.replace('http', 'ws')})`,
      `  Login          ${login}`,
      `                 curl -s ${stack.url}/auth/login -H 'content-type: application/json' -d '{"username":"admin","password":"..."}'`,
      `  Users          an Admin manages users and roles (GraphQL users, createUser, setUserRoles, setUserPassword, deleteUser);`,
      `                 anyone signed in: changePassword. New roles apply at the user's next sign-in.`,
      `  Demo           plan "Orders 3-tier" (waves Database -> App -> Web) over a simulated fleet`,
      `  DRS simulator  ${stack.drs.url}  (aws drs describe-source-servers --endpoint-url ${stack.drs.url} --region us-east-1)`,
      `  Data folder    ${dataDir}`,
      '',
    ].join('\n') + '\n',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[lifeboat] ${signal}: stopping\n`);
    await stack.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`[lifeboat] could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/** LIFEBOAT_DRS_LAUNCH_TIMINGS: a JSON object of the simulator's launch timings in ms before scaling, e.g. {"jitter":0}. */
function launchTimingsOf(text: string): Partial<LaunchTimings> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`LIFEBOAT_DRS_LAUNCH_TIMINGS must be a JSON object, not ${text}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`LIFEBOAT_DRS_LAUNCH_TIMINGS must be a JSON object, not ${text}`);
  const known = Object.keys(DEFAULT_LAUNCH_TIMINGS);
  for (const [name, value] of Object.entries(parsed)) {
    if (!known.includes(name)) throw new Error(`LIFEBOAT_DRS_LAUNCH_TIMINGS: unknown timing ${name} (known: ${known.join(', ')})`);
    if (typeof value !== 'number' || !(value >= 0)) throw new Error(`LIFEBOAT_DRS_LAUNCH_TIMINGS: ${name} must be a number >= 0`);
  }
  return parsed as Partial<LaunchTimings>;
}
