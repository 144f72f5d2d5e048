// The long fuzzing run: the property tests of test/unit/fuzz with 20× the inputs `npm test`
// uses (FUZZ_SCALE), on a seed of your choice (FUZZ_SEED; the default is npm test's).
// Each property prints "[fuzz] name: N tried, N handled, 0 lost".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = 'test/unit/fuzz';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join(dir, f));
const { status } = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...process.argv.slice(2), ...files],
  { stdio: 'inherit', env: { FUZZ_SCALE: '20', ...process.env } },
);
process.exit(status ?? 1);
