import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { consoleFilesOf, emptyConsoleBucketOfStage, publishConsoleToStage } from './console-publishing.js';
import { repositoryRoot } from './stack.js';

/**
 * `npm run deploy -- --stage <s> [--region <r>]`: the platform stack first (it exports the bus,
 * the user pool and the web hosting the services import), then the services, then the console
 * (built, uploaded to the web bucket with its config.json, CloudFront invalidated).
 * `npm run remove -- --stage <s>` removes the stacks in the reverse order, emptying the web bucket
 * before the platform stack (CloudFormation does not delete a bucket with objects).
 * `npm run deploy -- package --stage <s>` packages every stack offline and lists the console's files.
 * `npm run deploy -- console --stage <s> [--region <r>]` publishes the console alone.
 */
const ORDER = ['catalog', 'planning', 'execution', 'verification', 'notification', 'gateway'];
const COMMANDS = ['deploy', 'remove', 'package', 'console'] as const;
type Command = (typeof COMMANDS)[number];

function optionValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

function buildConsole(root: string): boolean {
  const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const result = spawnSync(process.execPath, [tsx, path.join(root, 'packages', 'web', 'scripts', 'ensure-built.ts')], { cwd: root, stdio: 'inherit' });
  return result.status === 0;
}

function describeConsoleFiles(distDir: string): void {
  // The exports are unknown offline: a placeholder config shows what would be written.
  const files = consoleFilesOf(distDir, { auth: 'cognito', domain: '<UserPoolDomain>', clientId: '<UserPoolClientId>', redirectUri: '<WebUrl>/', graphqlUrl: '<GraphqlUrl>', webSocketUrl: '<GraphqlWebSocketUrl>' });
  const bytes = files.reduce((sum, f) => sum + f.body.length, 0);
  process.stdout.write(`\n== console: ${files.length} files, ${(bytes / 1024).toFixed(0)} KB, would be uploaded to the stage's WebBucketName\n`);
  const assets = files.filter((f) => f.key.startsWith('assets/'));
  process.stdout.write(`  assets/ (${assets.length} files)  ${assets[0]?.cacheControl ?? ''}\n`);
  for (const file of files.filter((f) => !f.key.startsWith('assets/'))) process.stdout.write(`  ${file.key}  ${file.contentType}  ${file.cacheControl}\n`);
}

async function publish(root: string, args: readonly string[]): Promise<number> {
  const stage = optionValue(args, '--stage') as string;
  if (!buildConsole(root)) return 1;
  process.stdout.write(`\n== console (stage ${stage})\n`);
  const publication = await publishConsoleToStage({ stage, region: optionValue(args, '--region'), distDir: path.join(root, 'packages', 'web', 'dist') });
  process.stdout.write(
    `uploaded ${publication.uploaded} files (${(publication.uploadedBytes / 1024).toFixed(0)} KB), deleted ${publication.deleted.length}, kept ${publication.keptAssets} earlier assets; CloudFront invalidation ${publication.invalidationId}\n` +
      `the console: ${publication.webUrl}\n`,
  );
  return 0;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let command = args.shift();
  if (command === 'deploy' && (args[0] === 'package' || args[0] === 'console')) command = args.shift();
  if (!COMMANDS.includes(command as Command)) {
    process.stderr.write('usage: deploy.ts deploy|remove|package|console --stage <stage> [--region <region>]\n');
    return 2;
  }
  if (!optionValue(args, '--stage')) {
    process.stderr.write('--stage is required (for example --stage dev)\n');
    return 2;
  }
  const root = repositoryRoot();
  if (command === 'console') return publish(root, args);
  const services = ORDER.filter((s) => fs.existsSync(path.join(root, 'services', s, 'serverless.yml')));
  const stacks = [root, ...services.map((s) => path.join(root, 'services', s))];
  const serverless = path.join(root, 'node_modules', '.bin', 'serverless');
  for (const dir of command === 'remove' ? stacks.reverse() : stacks) {
    if (command === 'remove' && dir === root) {
      const emptied = await emptyConsoleBucketOfStage({ stage: optionValue(args, '--stage') as string, region: optionValue(args, '--region') });
      process.stdout.write(`\n== emptied the web bucket (${emptied} objects)\n`);
    }
    process.stdout.write(`\n== serverless ${command} (${path.relative(root, dir) || 'platform'})\n`);
    const result = spawnSync(serverless, [command as string, ...args], { cwd: dir, stdio: 'inherit' });
    if (result.status !== 0) {
      process.stderr.write(`serverless ${command} failed in ${dir}\n`);
      return result.status ?? 1;
    }
  }
  if (command === 'package') {
    if (!buildConsole(root)) return 1;
    describeConsoleFiles(path.join(root, 'packages', 'web', 'dist'));
  }
  if (command === 'deploy') return publish(root, args);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
