// The engine box in plain words, with no machine path anywhere.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { engineText, withoutPaths } from '../../../renderer/src/lib/state/engine-text.ts';
import type { EngineInfo } from '../../../src/shared/events.ts';

const wasm: EngineInfo = {
  name: 'wasm',
  label: 'Portable WebAssembly (SIMD, 2 threads)',
  reason:
    "tfjs-node-gpu is not installed (Cannot find package '@tensorflow/tfjs-node-gpu' imported from /home/ada/cnn-studio/src/engine/select.ts); tfjs-node is not installed (Cannot find package '@tensorflow/tfjs-node' imported from /home/ada/cnn-studio/src/engine/select.ts); using the portable WebAssembly engine",
  threads: 2,
  available: ['wasm', 'cpu'],
  requested: 'auto',
};

describe('engineText', () => {
  it('says which engine and why in plain words when native TensorFlow is not installed', () => {
    const t = engineText(wasm);
    assert.equal(t.title, 'Portable engine (2 threads)');
    assert.match(t.why, /runs everywhere, more slowly\.$/);
    assert.match(t.why, /^Native TensorFlow is not installed on this computer \(it is optional\)/);
    assert.doesNotMatch(t.why, /tfjs|Cannot find/);
  });

  it('keeps the technical reason for the details, without the path', () => {
    const t = engineText(wasm);
    assert.match(t.technical, /Cannot find package '@tensorflow\/tfjs-node' imported from …\)/);
    assert.doesNotMatch(t.technical, /ada|select\.ts/);
  });

  it('tells a native load failure from a missing install, and an explicit choice from both', () => {
    const failed = engineText({
      ...wasm,
      reason: 'tfjs-node failed to load: libtensorflow.so.2: cannot open',
    });
    assert.match(failed.why, /installed but could not start/);
    // The CUDA build installed without CUDA, the CPU build absent: installed, not missing.
    const gpuBroken = engineText({
      ...wasm,
      reason:
        'tfjs-node-gpu failed to load: libcudart.so.11.0: cannot open; tfjs-node is not installed (Cannot find package)',
    });
    assert.match(gpuBroken.why, /installed but could not start/);
    const cuda = engineText({
      ...wasm,
      name: 'native',
      label: 'Native TensorFlow with CUDA (tfjs-node-gpu)',
      reason: 'tfjs-node-gpu loaded; using native TensorFlow with CUDA',
    });
    assert.match(cuda.why, /runs on the GPU/);
    assert.match(
      engineText({ ...wasm, requested: 'wasm', reason: 'chosen explicitly' }).why,
      /--engine/,
    );
    const native = engineText({ ...wasm, name: 'native', threads: 1, reason: 'tfjs-node loaded' });
    assert.equal(native.title, 'Native TensorFlow (1 thread)');
    assert.match(native.why, /fastest/);
  });
});

describe('withoutPaths', () => {
  it('removes POSIX and Windows paths and file URLs, and leaves package names and words', () => {
    assert.equal(withoutPaths('from /usr/lib/x.so here'), 'from … here');
    assert.equal(withoutPaths('at C:\\Users\\ada\\app\\x.js:3'), 'at …');
    assert.equal(withoutPaths('see file:///home/ada/a.js'), 'see …');
    assert.equal(
      withoutPaths("package '@tensorflow/tfjs-node' and/or not"),
      "package '@tensorflow/tfjs-node' and/or not",
    );
  });
});
