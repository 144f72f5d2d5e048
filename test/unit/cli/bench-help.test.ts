// `npm run bench -- --help` prints the options and measures nothing; an unknown option is refused
// with the same text, before anything starts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const bench = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bench.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

test('--help prints every option and runs nothing', () => {
  const r = bench('--help');
  assert.equal(r.status, 0, r.stderr);
  for (const option of [
    '--engines',
    '--quick',
    '--no-torch',
    '--no-renderer',
    '--memory-epochs',
    '--memory-images',
    '--rounds',
  ])
    assert.ok(r.stdout.includes(option), `${option} is described`);
  assert.ok(!r.stdout.includes('{"name"'), 'no measurement was printed');
});

test('an unknown option is refused with the usage, exit code 2, nothing measured', () => {
  const r = bench('--engine', 'wasm');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^bench: unknown option "--engine"/);
  assert.match(r.stderr, /--engines LIST/);
  assert.equal(r.stdout, '');
});

test('--rounds outside 0..50 is refused before anything is measured', () => {
  for (const bad of ['-1', '2.5', 'many', '51']) {
    const r = bench('--rounds', bad);
    assert.equal(r.status, 2, bad);
    assert.match(r.stderr, /--rounds takes a whole number from 0 to 50/);
    assert.equal(r.stdout, '');
  }
});
