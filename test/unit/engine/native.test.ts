// Which native TensorFlow build loads, and what the user is told: the CUDA build first, then the
// CPU build. Neither package can be installed here (no internet, no CUDA), so the loader is
// injected: it stands for Node's import() and throws as it does.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadNative } from '../../../src/engine/native.ts';

const missing = (pkg: string): Error =>
  Object.assign(new Error(`Cannot find package '${pkg}' imported from select.ts`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });

/** A loader that has `installed` packages; `broken` ones throw as a missing CUDA library does. */
function loader(installed: string[], broken: Record<string, string> = {}) {
  const tried: string[] = [];
  const load = async (pkg: string): Promise<unknown> => {
    tried.push(pkg);
    if (broken[pkg]) throw new Error(broken[pkg]);
    if (!installed.includes(pkg)) throw missing(pkg);
    return {};
  };
  return { load, tried };
}

const GPU = '@tensorflow/tfjs-node-gpu';
const CPU = '@tensorflow/tfjs-node';

test('the CUDA build first: where it loads, the CPU build is never tried', async () => {
  const { load, tried } = loader([GPU, CPU]);
  const r = await loadNative(load, () => true);
  assert.ok(r.ok);
  assert.equal(r.pkg.short, 'tfjs-node-gpu');
  assert.equal(r.pkg.label, 'Native TensorFlow with CUDA (tfjs-node-gpu)');
  assert.deepEqual(r.skipped, []);
  assert.deepEqual(tried, [GPU]);
});

test('no CUDA build installed: the CPU build, and the reason says the GPU one is missing', async () => {
  const { load, tried } = loader([CPU]);
  const r = await loadNative(load, () => true);
  assert.ok(r.ok);
  assert.equal(r.pkg.short, 'tfjs-node');
  assert.deepEqual(tried, [GPU, CPU]);
  assert.equal(r.skipped.length, 1);
  assert.match(r.skipped[0]!, /^tfjs-node-gpu is not installed \(Cannot find package/);
});

test('a CUDA build without CUDA libraries falls back to the CPU build, saying why', async () => {
  const { load } = loader([GPU, CPU], {
    [GPU]: 'libcudart.so.11.0: cannot open shared object file: No such file or directory\n  at ...',
  });
  const r = await loadNative(load, () => true);
  assert.ok(r.ok);
  assert.equal(r.pkg.short, 'tfjs-node');
  assert.deepEqual(r.skipped, [
    'tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open shared object file: No such file or directory',
  ]);
});

test('neither installed: why, for both, in order', async () => {
  const r = await loadNative(loader([]).load, () => true);
  assert.ok(!r.ok);
  assert.match(r.why, /^tfjs-node-gpu is not installed \(.*\); tfjs-node is not installed \(.*\)$/);
});

test('a build whose backend went to another copy of tfjs stops the search and says so', async () => {
  const { load, tried } = loader([GPU, CPU]);
  const r = await loadNative(load, () => false);
  assert.ok(!r.ok);
  assert.deepEqual(tried, [GPU]);
  assert.match(r.why, /^tfjs-node-gpu loaded but registered its backend on another copy/);
});
