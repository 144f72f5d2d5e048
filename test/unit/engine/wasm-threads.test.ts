// The WebAssembly engine on its thread pool trains exactly like the single-threaded engine (within
// float tolerance: a pool splits sums differently), and says how many threads it uses.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { wasmThreads } from '../../../src/engine/select.ts';

const child = fileURLToPath(new URL('./threads-child.ts', import.meta.url));

interface Run {
  label: string;
  threads: number;
  winogradThreads: number;
  losses: number[];
  weights: number[][];
  logits: number[];
}

async function run(threads: number): Promise<Run> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, CNN_STUDIO_WASM_THREADS: String(threads) },
    maxBuffer: 256 * 2 ** 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Run;
}

function assertClose(a: number[], b: number[], what: string, tol: number): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  assert.ok(worst <= tol * Math.max(1, scale), `${what}: differs by ${worst} (scale ${scale})`);
}

test('CNN_STUDIO_WASM_THREADS picks the pool size: 1..4, one per core by default', () => {
  assert.equal(wasmThreads({ CNN_STUDIO_WASM_THREADS: '1' }), 1);
  assert.equal(wasmThreads({ CNN_STUDIO_WASM_THREADS: '2' }), 2);
  assert.equal(wasmThreads({ CNN_STUDIO_WASM_THREADS: '16' }), 4);
  assert.equal(wasmThreads({ CNN_STUDIO_WASM_THREADS: 'two' }), 1);
  assert.ok(wasmThreads({}) >= 1 && wasmThreads({}) <= 4);
});

test('training on 2 wasm threads equals training on 1: losses, weights, predictions', async () => {
  const [one, two] = await Promise.all([run(1), run(2)]);
  assert.equal(one.threads, 1);
  assert.match(one.label, /^Portable WebAssembly \(SIMD, 1 thread\)$/);
  assert.equal(two.threads, 2);
  assert.match(two.label, /^Portable WebAssembly \(SIMD, 2 threads\)$/);
  assert.equal(one.winogradThreads, 1);
  assert.equal(two.winogradThreads, 2);
  assertClose(two.losses, one.losses, 'losses', 1e-5);
  assert.equal(two.weights.length, one.weights.length);
  two.weights.forEach((w, i) => assertClose(w, one.weights[i]!, `weights ${i}`, 1e-5));
  assertClose(two.logits, one.logits, 'logits', 1e-4);
});
