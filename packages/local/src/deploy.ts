import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from './stack.js';

/**
 * `npm run deploy -- --stage <s> [--region <r>]`, `npm run remove -- --stage <s>`, and
 * `npm run deploy -- package --stage <s>` (offline): the platform stack first (it exports the
 * bus and user pool the services import), then the services; removal in the reverse order.
 */
const ORDER = ['catalog', 'planning', 'execution', 'verification', 'notification', 'gateway'];

function main(): number {
  const args = process.argv.slice(2);
  let command = args.shift();
  if (command === 'deploy' && args[0] === 'package') command = args.shift();
  if (command !== 'deploy' && command !== 'remove' && command !== 'package') {
    process.stderr.write('usage: deploy.ts deploy|remove|package --stage <stage> [--region <region>]\n');
    return 2;
  }
  if (!args.includes('--stage')) {
    process.stderr.write('--stage is required (for example --stage dev)\n');
    return 2;
  }
  const root = repositoryRoot();
  const services = ORDER.filter((s) => fs.existsSync(path.join(root, 'services', s, 'serverless.yml')));
  const stacks = [root, ...services.map((s) => path.join(root, 'services', s))];
  const serverless = path.join(root, 'node_modules', '.bin', 'serverless');
  for (const dir of command === 'remove' ? stacks.reverse() : stacks) {
    process.stdout.write(`\n== serverless ${command} (${path.relative(root, dir) || 'platform'})\n`);
    const result = spawnSync(serverless, [command, ...args], { cwd: dir, stdio: 'inherit' });
    if (result.status !== 0) {
      process.stderr.write(`serverless ${command} failed in ${dir}\n`);
      return result.status ?? 1;
    }
  }
  return 0;
}

process.exit(main());
