// The main-process code as electron-vite builds it for the app (nothing here can run Electron
// itself): every chunk parses as the ES module Electron loads, and the built wasm engine starts
// its thread pool and Winograd helper thread. A bundler shim once collided with a `require` of
// ours in the threads chunk, a SyntaxError that only a built app would have met.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '..', '..');
// Inside the repository, so the chunks resolve @tensorflow/* from its node_modules.
const OUT = join(ROOT, '.tmp', 'built-main-test');

before(() => {
  rmSync(OUT, { recursive: true, force: true });
  const cli = join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  execFileSync(process.execPath, [cli, 'build', '--outDir', OUT], { cwd: ROOT, stdio: 'pipe' });
});
after(() => rmSync(OUT, { recursive: true, force: true }));

const chunks = (): string[] => readdirSync(join(OUT, 'main', 'chunks'));
const chunk = (prefix: string): string => {
  const name = chunks().find((f) => f.startsWith(prefix));
  assert.ok(name, `no ${prefix}* chunk in the build`);
  return join(OUT, 'main', 'chunks', name);
};

test('every main-process file parses as an ES module', () => {
  const files = [
    join(OUT, 'main', 'index.js'),
    ...chunks().map((f) => join(OUT, 'main', 'chunks', f)),
  ];
  assert.ok(files.length >= 3, `only ${files.length} files built`);
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    const { status, stderr } = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' });
    assert.equal(status, 0, `${file} does not parse:\n${stderr}`);
  }
});

test('the built wasm engine runs conv2 by Winograd on both its threads', () => {
  const script = `
    import * as tf from '@tensorflow/tfjs';
    const { withThreadedBuild } = await import(${JSON.stringify(chunk('wasm-threads'))});
    const { registerWasmTrainingKernels, startKernelThreads } = await import(${JSON.stringify(chunk('wasm-kernels'))});
    registerWasmTrainingKernels();
    await withThreadedBuild(() => tf.setBackend('wasm'));
    const conv = () => tf.conv2d(tf.ones([4, 14, 14, 32]), tf.ones([5, 5, 32, 64]), 1, 'same');
    const winograd = await startKernelThreads(2);
    const centre = conv().dataSync()[(7 * 14 + 7) * 64];
    console.log(JSON.stringify({ threads: winograd.lastThreads.conv, runs: winograd.runs.conv, centre }));
  `;
  const { status, stdout, stderr } = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', script],
    { cwd: ROOT, encoding: 'utf8' },
  );
  assert.equal(status, 0, stderr);
  assert.doesNotMatch(stderr, /failed to start/);
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  assert.deepEqual({ threads: result.threads, runs: result.runs }, { threads: 2, runs: 1 });
  // All ones: each output away from the border sums 25 taps × 32 channels (Winograd's rounding).
  assert.ok(Math.abs(result.centre! - 25 * 32) < 1e-3, `centre ${result.centre}`);
});
