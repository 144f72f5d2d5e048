// Runs every test/unit/**/*.test.ts with node's test runner (Node 20 does not expand globs itself).
// Extra arguments are passed on, e.g. `npm run test:unit -- --test-name-pattern=pause`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const find = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? find(join(dir, e.name))
      : e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );

const files = find('test/unit').sort();
const args = [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  ...process.argv.slice(2),
  ...files,
];
const { status } = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(status ?? 1);
