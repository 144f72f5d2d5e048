// Our C kernels (src/engine/kernels/wasm/) on one thread and on two over a shared memory, as the
// threaded wasm backend has: two threads write exactly the bits one writes, and both are right.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { DataId, KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { adamStepConfig } from '../../../src/engine/kernels/adam.ts';
import {
  addConfig,
  reluConfig,
  reluGradKernelConfig,
} from '../../../src/engine/kernels/elementwise.ts';
import { convDirect } from '../../../src/engine/kernels/conv-direct.ts';
import { directFilterGradient } from '../../../src/engine/kernels/filter-grad-direct.ts';
import {
  kernelThreadsFor,
  type WasmBackendLike,
} from '../../../src/engine/kernels/heap-backend.ts';
import { computeConv2DInfo } from '../../../src/engine/kernels/kernel-util.ts';
import { heapProduct } from '../../../src/engine/kernels/matmul.ts';
import { maxPoolGradConfig } from '../../../src/engine/kernels/max-pool.ts';
import type { WasmOriginals } from '../../../src/engine/kernels/kernel-util.ts';
import { values } from './compare.ts';

// A real shared wasm memory with a bump allocator standing in for tfjs's malloc, and two stand-in
// backends over it whose kernel threads are 1 and 2.
const memory = new WebAssembly.Memory({ initial: 4096, maximum: 4096, shared: true });
let top = 1 << 16;
const heap = {
  wasmMemory: memory,
  _malloc: (bytes: number): number => {
    const p = top;
    top = (top + bytes + 15) & ~15;
    assert.ok(top <= memory.buffer.byteLength, 'test heap exhausted');
    return p;
  },
  _free: (): void => {},
};

// Where each stand-in tensor lives, and how many tensors share it: one map for both backends,
// which share the memory. `tfjs` stands in for the C++ side's register of tensor ids, which an
// update in place renews.
const offsets = new Map<object, { id: number; memoryOffset: number; refCount: number }>();
const registered = new Set<number>();
let nextId = 1;
function backend() {
  return {
    wasm: {
      ...heap,
      tfjs: {
        disposeData: (id: number) => void registered.delete(id),
        registerTensor: (id: number) => void registered.add(id),
      },
    },
    get dataIdNextNumber() {
      return nextId;
    },
    set dataIdNextNumber(n: number) {
      nextId = n;
    },
    dataIdMap: { get: (id: DataId) => offsets.get(id as object) },
    makeOutput: (shape: number[]): TensorInfo => {
      const dataId = {};
      const size = shape.reduce((a, b) => a * b, 1);
      const id = nextId++;
      registered.add(id);
      offsets.set(dataId, { id, memoryOffset: heap._malloc(size * 4), refCount: 1 });
      return { dataId, shape, dtype: 'float32' };
    },
    refCount: (id: object) => offsets.get(id)!.refCount,
    incRef: (id: object) => void offsets.get(id)!.refCount++,
  };
}
const [one, two] = [backend(), backend()];
const threadsOf = [kernelThreadsFor(one, 1), kernelThreadsFor(two, 2)];
after(() => threadsOf[1]!.dispose());

/** A tensor of `data` in the shared memory. */
function tensor(data: Float32Array, shape: number[]): TensorInfo {
  const t = one.makeOutput(shape);
  new Float32Array(memory.buffer, offsets.get(t.dataId)!.memoryOffset, data.length).set(data);
  return t;
}
const read = (b: WasmBackendLike, t: TensorInfo): Float32Array =>
  new Float32Array(
    memory.buffer,
    b.dataIdMap.get(t.dataId)!.memoryOffset,
    t.shape.reduce((a, c) => a * c, 1),
  ).slice();

/** Runs `op` on both backends; asserts 2 threads ran and wrote the same bits; returns the result. */
async function onBoth(
  op: (b: WasmBackendLike) => TensorInfo | TensorInfo[],
): Promise<Float32Array[]> {
  await threadsOf[1]!.whenReady();
  const [r1, r2] = [one, two].map((b) => [op(b)].flat().map((t) => read(b, t)));
  assert.equal(threadsOf[0]!.lastThreadsAny, 1);
  assert.equal(threadsOf[1]!.lastThreadsAny, 2, 'the job was too small to split');
  assert.deepEqual(r2, r1);
  return r1!;
}

/** Largest difference from a double-precision reference, relative to its largest value. */
function assertNear(got: Float32Array, want: Float64Array, rtol: number, what: string): void {
  let worst = 0;
  let scale = 0;
  want.forEach((w, i) => {
    worst = Math.max(worst, Math.abs(got[i]! - w));
    scale = Math.max(scale, Math.abs(w));
  });
  assert.ok(scale > 0, `${what}: an all-zero reference tests nothing`);
  assert.ok(worst <= rtol * scale, `${what}: off by ${worst} (scale ${scale})`);
}

describe('matrix products (matmul.c): every form, sizes off the tiles', () => {
  // m % 4, n % 8 (a panel of 4, then 1) and k past the kernels' blocks (KC 256 rows of B, KT 64
  // of Aᵀ) all leave remainders; 33 M multiply-adds are enough to split. B is small enough for NN
  // to read it in place (the packed NN: the next test).
  const [m, k, n] = [101, 1100, 301];
  const A = values(m * k, 1);
  const B = values(k * n, 2);
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[i * k + p]! * B[p * n + j]!;
      want[i * n + j] = s;
    }
  const transpose = (x: Float32Array, r: number, c: number): Float32Array =>
    Float32Array.from({ length: r * c }, (_, i) => x[(i % r) * c + Math.floor(i / r)]!);
  const forms = [
    { name: 'A·B', a: tensor(A, [m, k]), b: tensor(B, [k, n]), ta: false, tb: false },
    {
      name: 'A·Bᵀ',
      a: tensor(A, [m, k]),
      b: tensor(transpose(B, k, n), [n, k]),
      ta: false,
      tb: true,
    },
    {
      name: 'Aᵀ·B',
      a: tensor(transpose(A, m, k), [k, m]),
      b: tensor(B, [k, n]),
      ta: true,
      tb: false,
    },
  ];
  for (const f of forms) {
    test(f.name, async () => {
      const [c] = await onBoth((b) => heapProduct(b, f.a, f.b, f.ta, f.tb)!);
      assertNear(c!, want, 1e-5, f.name);
    });
  }
  test('Aᵀ·Bᵀ and batched products are left to the backend', () => {
    assert.equal(heapProduct(one, forms[0]!.a, forms[0]!.a, true, true), null);
    assert.equal(
      heapProduct(one, { ...forms[0]!.a, shape: [2, m, k] }, forms[0]!.b, false, false),
      null,
    );
  });
});

test('A·B with a B of over 1 M floats: packed, the same bits as in place, and right', async () => {
  // n % 8 leaves a panel of 4 and a last column in the second thread's share, k a last block of
  // 76 packed rows, m a partial tile of 2.
  const [m, k, n] = [30, 1100, 1005];
  const [A, B] = [values(m * k, 14), values(k * n, 15)];
  const [a, b] = [tensor(A, [m, k]), tensor(B, [k, n])];
  const [c] = await onBoth((be) => heapProduct(be, a, b, false, false)!);
  const want = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++)
      for (let j = 0; j < n; j++) want[i * n + j]! += A[i * k + p]! * B[p * n + j]!;
  assertNear(c!, want, 1e-5, 'packed A·B');
  const inPlace = one.makeOutput([m, n]);
  const at = (t: TensorInfo): number => offsets.get(t.dataId)!.memoryOffset;
  threadsOf[0]!.exports.matmulNN(at(a), at(b), at(inPlace), m, k, n, 0, n, 0, 0);
  assert.deepEqual(read(one, inPlace), c, 'packing changed the bits');
});

// MaxPoolGrad's fallback (the backend's own) is never reached with float32 on a heap backend.
const originals = {
  maxPoolGrad: {} as KernelConfig,
  add: {} as KernelConfig,
  relu: {} as KernelConfig,
} as WasmOriginals;
const call = (config: KernelConfig, b: WasmBackendLike, inputs: object, attrs: object) =>
  config.kernelFunc({
    inputs: inputs as never,
    backend: b as never,
    attrs: attrs as NamedAttrMap,
  }) as TensorInfo | TensorInfo[];

test('the Adam step (adam.c) over 1 048 579 elements, in place and into new tensors', async () => {
  const n = 1_048_579; // enough to split, and a remainder after the vectors
  const attrs = { beta1: 0.9, beta2: 0.999, learningRate: 1e-3, epsilon: 1e-7 };
  // Fresh inputs for each run: held by nothing else, the weight and its moments are updated in place.
  const step = (b: WasmBackendLike, shared: boolean): TensorInfo[] => {
    const inputs = {
      value: tensor(values(n, 3), [n]),
      m: tensor(
        values(n, 4).map((x) => x * 1e-3),
        [n],
      ),
      v: tensor(
        values(n, 5).map((x) => x * x * 1e-6),
        [n],
      ),
      gradient: tensor(values(n, 6), [n]),
      accBeta1: tensor(new Float32Array([0.9 ** 3]), []),
      accBeta2: tensor(new Float32Array([0.999 ** 3]), []),
    };
    const updated = [inputs.value, inputs.m, inputs.v];
    if (shared) updated.forEach((t) => offsets.get(t.dataId)!.refCount++);
    const outs = call(adamStepConfig, b, inputs, attrs) as TensorInfo[];
    const same = outs.map((o, i) => o.dataId === updated[i]!.dataId);
    assert.deepEqual(
      same,
      [!shared, !shared, !shared],
      'in place exactly when nothing else holds it',
    );
    return outs;
  };
  const inPlace = await onBoth((b) => step(b, false));
  const fresh = await onBoth((b) => step(b, true));
  assert.notDeepEqual(inPlace[0], values(n, 3), 'the weights moved');
  assert.deepEqual(fresh, inPlace);
});

test('MaxPoolGrad (max-pool.c), 8 images of 28×28×32, 2×2 stride 2', async () => {
  const x = values(8 * 28 * 28 * 32, 7);
  const dy = values(8 * 14 * 14 * 32, 8);
  const inputs = { input: tensor(x, [8, 28, 28, 32]), dy: tensor(dy, [8, 14, 14, 32]) };
  const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
  const [dx] = await onBoth((b) => call(maxPoolGradConfig(originals), b, inputs, attrs));
  // Each window's gradient lands on its one maximum: as many non-zero cells as windows.
  assert.equal(dx!.filter((v) => v !== 0).length, dy.length);
  const sum = (a: Float32Array): number => a.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(sum(dx!) - sum(dy)) < 1e-2);
});

test('the direct filter gradient (filter-grad-direct.c), 13 images through a 5×5 SAME 1 → 32', async () => {
  const [n, h, w, k] = [13, 28, 28, 32];
  const x = values(n * h * w, 9);
  const dy = values(n * h * w * k, 10);
  const info = computeConv2DInfo([n, h, w, 1], [5, 5, 1, k], 1, 1, 'same');
  const xt = tensor(x, [n, h, w, 1]);
  const dyt = tensor(dy, [n, h, w, k]);
  const [dw] = await onBoth((b) => directFilterGradient(b, xt, dyt, info)!);
  const want = new Float64Array(25 * k);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let a = 0; a < 25; a++) {
          const [xi, xj] = [i + Math.floor(a / 5) - 2, j + (a % 5) - 2];
          if (xi < 0 || xi >= h || xj < 0 || xj >= w) continue;
          for (let c = 0; c < k; c++)
            want[a * k + c]! += x[(b * h + xi) * w + xj]! * dy[((b * h + i) * w + j) * k + c]!;
        }
  assertNear(dw!, want, 1e-5, 'dw');
});

test('a bias added to 8 images of 28×28×32, ReLU and its gradient over them (elementwise.c)', async () => {
  const size = 8 * 28 * 28 * 32;
  const [x, dy, b] = [values(size, 11), values(size, 12), values(32, 13)];
  const shape = [8, 28, 28, 32];
  const xt = tensor(x, shape);
  const [sum] = await onBoth((be) =>
    call(addConfig(originals), be, { a: xt, b: tensor(b, [32]) }, {}),
  );
  assert.ok(sum!.every((s, i) => s === Math.fround(x[i]! + b[i % 32]!)));
  const inputs = { dy: tensor(dy, shape), x: xt };
  const [dx] = await onBoth((be) => call(reluGradKernelConfig, be, inputs, {}));
  assert.ok(dx!.every((g, i) => g === (x[i]! > 0 ? dy[i]! : 0)));
  const [y] = await onBoth((be) => call(reluConfig(originals), be, { x: xt }, {}));
  assert.ok(y!.every((r, i) => r === Math.max(x[i]!, 0)));
});

test('conv1 (conv-direct.c): 8 images of 28×28 through 32 filters of 5×5, bias and ReLU', async () => {
  const [n, h, w, k] = [8, 28, 28, 32];
  const [x, f, b] = [values(n * h * w, 16), values(25 * k, 17), values(k, 18)];
  const [xt, ft, bt] = [tensor(x, [n, h, w, 1]), tensor(f, [5, 5, 1, k]), tensor(b, [k])];
  const info = computeConv2DInfo([n, h, w, 1], [5, 5, 1, k], 1, 1, 'same');
  const [y] = await onBoth((be) => convDirect(be, xt, ft, bt, true, info));
  const want = new Float64Array(n * h * w * k);
  for (let i = 0; i < n * h * w; i++) {
    const [img, yy, xx] = [Math.floor(i / (h * w)), Math.floor(i / w) % h, i % w];
    for (let c = 0; c < k; c++) {
      let s = b[c]!;
      for (let a = 0; a < 25; a++) {
        const [sy, sx] = [yy + Math.floor(a / 5) - 2, xx + (a % 5) - 2];
        if (sy >= 0 && sy < h && sx >= 0 && sx < w)
          s += x[(img * h + sy) * w + sx]! * f[a * k + c]!;
      }
      want[i * k + c] = Math.max(s, 0);
    }
  }
  assertNear(y!, want, 1e-5, 'conv1');
});
