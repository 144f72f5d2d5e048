// Engine selection (src/engine/select.ts). Backends are process-global: node --test gives this
// file its own process, and each test states the backend it expects.
import assert from 'node:assert/strict';
import { EngineError } from '../../../src/engine/errors.ts';
import { runtimeHasRelaxedSimd } from '../../../src/engine/relaxed-probe.ts';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { engineFromEnv, selectEngine, wasmThreads } from '../../../src/engine/select.ts';
import { registerWasmTrainingKernels } from '../../../src/engine/wasm-kernels.ts';
import type { EngineChoice } from '../../../src/shared/config.ts';

const nativeInstalled = ((): boolean => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();
const withoutNative = { skip: nativeInstalled ? 'tfjs-node is installed here' : false };

/** One small conv + dense training step: fails on a wasm backend without our kernels. */
function trainStepWorks(): void {
  const x = tf.randomUniform([2, 8, 8, 1]);
  const w = tf.variable(tf.randomUniform([3, 3, 1, 4]));
  const d = tf.variable(tf.randomUniform([256, 3]));
  const loss = (): tf.Scalar =>
    tf.sum(
      tf.matMul(tf.reshape(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'), [2, 256]), d),
    );
  const { grads } = tf.variableGrads(loss);
  assert.deepEqual(grads[w.name]?.shape, [3, 3, 1, 4]);
  tf.dispose([x, w, d, ...Object.values(grads)]);
}

describe('engineFromEnv', () => {
  test('unset or empty means auto', () => {
    assert.equal(engineFromEnv({}), 'auto');
    assert.equal(engineFromEnv({ CNN_STUDIO_ENGINE: ' ' }), 'auto');
  });
  test('accepts every engine, case and spaces aside', () => {
    for (const c of ['auto', 'native', 'wasm', 'cpu'] as EngineChoice[]) {
      assert.equal(engineFromEnv({ CNN_STUDIO_ENGINE: c }), c);
    }
    assert.equal(engineFromEnv({ CNN_STUDIO_ENGINE: ' WASM ' }), 'wasm');
  });
  test('rejects anything else with code ENGINE and the allowed values', () => {
    assert.throws(
      () => engineFromEnv({ CNN_STUDIO_ENGINE: 'gpu' }),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === 'ENGINE' &&
        /CNN_STUDIO_ENGINE="gpu" is not an engine; use one of auto, native, wasm, cpu/.test(
          e.message,
        ),
    );
  });
});

describe('selectEngine', () => {
  test("'auto' falls back to wasm and says tfjs-node is missing", withoutNative, async () => {
    const info = await selectEngine('auto');
    assert.equal(info.name, 'wasm');
    assert.equal(info.requested, 'auto');
    assert.match(
      info.reason,
      /^tfjs-node-gpu is not installed \(.*tfjs-node-gpu.*\); tfjs-node is not installed \(.*tfjs-node.*\); using the portable WebAssembly engine$/,
    );
    assert.deepEqual(info.available, ['wasm', 'cpu']);
    // One thread per core (at most 4) unless CNN_STUDIO_WASM_THREADS says otherwise.
    const threads = wasmThreads();
    assert.equal(info.threads, threads);
    // Relaxed SIMD where the runtime has it (Node 20: --experimental-wasm-relaxed-simd).
    const kind = runtimeHasRelaxedSimd() ? 'relaxed SIMD' : 'SIMD';
    assert.equal(
      info.label,
      `Portable WebAssembly (${kind}, ${threads} thread${threads === 1 ? '' : 's'})`,
    );
    assert.equal(tf.getBackend(), 'wasm');
    trainStepWorks();
  });

  test("'native' fails with code ENGINE and a clear message", withoutNative, async () => {
    await assert.rejects(
      selectEngine('native'),
      (e: unknown) =>
        e instanceof EngineError &&
        e.code === 'ENGINE' &&
        /^The native TensorFlow engine \(tfjs-node-gpu or tfjs-node\) cannot load: tfjs-node-gpu is not installed .*; tfjs-node is not installed .*; available here: wasm, cpu$/.test(
          e.message,
        ),
    );
  });

  test("'cpu' is honoured and warns that it is very slow", async () => {
    const info = await selectEngine('cpu');
    assert.equal(info.name, 'cpu');
    assert.equal(info.label, 'Pure JavaScript (very slow)');
    assert.match(info.reason, /under 1 image\/s/);
    assert.equal(tf.getBackend(), 'cpu');
  });

  test("'wasm' switches back, with the training kernels", async () => {
    const info = await selectEngine('wasm');
    assert.equal(info.name, 'wasm');
    assert.equal(info.reason, 'chosen explicitly');
    assert.equal(tf.getBackend(), 'wasm');
    trainStepWorks();
  });

  test('an unknown choice is an EngineError', async () => {
    await assert.rejects(selectEngine('gpu' as EngineChoice), { code: 'ENGINE' });
  });
});

test('starting wasm leaves no Emscripten process handlers (they dump its minified source)', async () => {
  await selectEngine('wasm');
  const emitter: NodeJS.EventEmitter = process; // the untyped view: any event name
  for (const event of ['uncaughtException', 'unhandledRejection']) {
    const emscripten = emitter
      .listeners(event)
      .filter((l) => /ExitStatus|throw reason/.test(String(l)));
    assert.deepEqual(emscripten, [], event);
  }
});

test('registerWasmTrainingKernels is idempotent', () => {
  registerWasmTrainingKernels();
  const kernels = [
    'Conv2DBackpropFilter',
    'Conv2DBackpropInput',
    'MaxPoolGrad',
    'BatchMatMul',
    '_FusedMatMul',
  ];
  const before = kernels.map((k) => tf.getKernel(k, 'wasm'));
  assert.ok(before.every((k) => k !== undefined));
  const ours = Symbol.for('cnn-studio.wasm-training-kernel');
  assert.ok(
    before.every((k) => ours in k!),
    'each of our kernels replaced wasm’s',
  );
  registerWasmTrainingKernels();
  assert.deepEqual(
    kernels.map((k) => tf.getKernel(k, 'wasm')),
    before,
  );
});
