// The Winograd F(4×4, 5×5) convolution (src/engine/kernels/wasm/conv5x5.c, conv2d-winograd.ts): taken
// for the shapes it fits and equal to tfjs-cpu there, left alone for the others, split across
// helper threads without changing a bit, and failing loudly rather than hanging.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  kernelThreadsFor,
  type WasmBackendLike,
} from '../../../src/engine/kernels/heap-backend.ts';
import { SOURCE_SHA256 } from '../../../src/engine/kernels/wasm/kernels-wasm.ts';
import { KernelThreads } from '../../../src/engine/kernels/wasm/threads.ts';
import {
  convolve,
  filterGradient,
  TILE_BLOCK,
  type ConvJob,
} from '../../../src/engine/kernels/wasm/winograd.ts';
import { kernelSources, sourcesHash } from '../../../scripts/kernel-sources.ts';
import { registerWasmTrainingKernels } from '../../../src/engine/wasm-kernels.ts';
import { compareWithCpu, input, values, type Input } from './compare.ts';
import { conv } from './wasm-setup.ts';

before(async () => {
  registerWasmTrainingKernels();
  assert.ok(await tf.setBackend('wasm'));
});

test('the committed WebAssembly was built from the committed C sources', () => {
  const dir = new URL('../../../src/engine/kernels/wasm/', import.meta.url).pathname;
  const sources = kernelSources(dir);
  assert.ok(sources.some((s) => s.endsWith('conv5x5.c')));
  assert.equal(sourcesHash(sources), SOURCE_SHA256, 'a C kernel changed: npm run build:kernels');
});

/** Winograd runs on the wasm backend so far (0 before its first). */
async function winogradRuns(): Promise<number> {
  assert.ok(await tf.setBackend('wasm'));
  const { runs } = kernelThreadsFor(tf.backend() as unknown as WasmBackendLike);
  return runs.conv + runs.filterGradParts;
}

interface Case {
  name: string;
  inputs: Input[];
  fn: (...ts: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
}

const FITS: Case[] = [
  {
    name: "the CNN's conv2 (32 → 64, bias, ReLU fused)",
    inputs: [input([3, 14, 14, 32], 1), input([5, 5, 32, 64], 2), input([64], 3)],
    fn: conv('same', 'relu'),
  },
  {
    // 63 tiles of 4×4 (9 per 10×10 image): 3 full blocks of 16 and a last one of 15 (three
    // micro-kernels of 4 and one of 3).
    name: 'a batch of 7, bias, no activation',
    inputs: [input([7, 10, 10, 32], 4), input([5, 5, 32, 64], 5), input([64], 6)],
    fn: conv('same', 'linear'),
  },
  {
    name: 'odd height and width (partial tiles), 8 → 16, plain conv2d',
    inputs: [input([2, 13, 9, 8], 7), input([5, 5, 8, 16], 8)],
    fn: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
  },
  {
    name: 'gradients through conv2 (dx, dfilter, dbias)',
    inputs: [input([2, 14, 14, 32], 9), input([5, 5, 32, 64], 10), input([64], 11)],
    fn: (x, w, b) => {
      const r = tf.tensor4d(values(2 * 14 * 14 * 64, 12), [2, 14, 14, 64]);
      const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor): tf.Scalar =>
        tf.sum(tf.mul(conv('same', 'relu')(xi, wi, bi), r));
      return tf.grads(f)([x!, w!, b!]);
    },
  },
];

FITS.push({
  name: 'filter gradient with partial tiles (13×9, 8 → 16)',
  inputs: [input([3, 13, 9, 8], 28), input([5, 5, 8, 16], 29)],
  fn: (x, w) => {
    const r = tf.tensor4d(values(3 * 13 * 9 * 16, 30), [3, 13, 9, 16]);
    const f = (wi: tf.Tensor): tf.Scalar =>
      tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, wi as tf.Tensor4D, 1, 'same'), r));
    return tf.grad(f)(w!);
  },
});

const DOES_NOT_FIT: Case[] = [
  {
    name: 'conv1 (1 input channel: the GEMM would be 1 deep)',
    inputs: [input([2, 28, 28, 1], 13), input([5, 5, 1, 32], 14), input([32], 15)],
    fn: conv('same', 'relu'),
  },
  {
    name: 'a 3×3 filter',
    inputs: [input([2, 8, 8, 8], 16), input([3, 3, 8, 8], 17), input([8], 18)],
    fn: conv('same', 'relu'),
  },
  {
    name: 'stride 2',
    inputs: [input([2, 14, 14, 32], 19), input([5, 5, 32, 64], 20), input([64], 21)],
    fn: conv('same', 'relu', 2),
  },
  {
    name: 'valid padding',
    inputs: [input([2, 14, 14, 32], 22), input([5, 5, 32, 64], 23), input([64], 24)],
    fn: conv('valid', 'relu'),
  },
  {
    name: 'an activation other than ReLU',
    inputs: [input([2, 14, 14, 32], 25), input([5, 5, 32, 64], 26), input([64], 27)],
    fn: conv('same', 'elu'),
  },
];

describe('shapes it fits run by Winograd and match cpu', () => {
  for (const c of FITS) {
    test(c.name, async () => {
      const before = await winogradRuns();
      await compareWithCpu(c.name, c.inputs, c.fn);
      assert.ok((await winogradRuns()) > before, 'Winograd did not run');
    });
  }
});

describe('other shapes run the backend’s own kernel and match cpu', () => {
  for (const c of DOES_NOT_FIT) {
    test(c.name, async () => {
      const before = await winogradRuns();
      await compareWithCpu(c.name, c.inputs, c.fn);
      assert.equal(await winogradRuns(), before, 'Winograd ran where it does not fit');
    });
  }
});

describe('threads (a shared memory, as the threaded backend has)', () => {
  // A real shared wasm memory with a bump allocator standing in for tfjs's malloc.
  const memory = new WebAssembly.Memory({ initial: 512, maximum: 512, shared: true });
  let top = 1 << 16;
  let allocations = 0;
  const heap = {
    wasmMemory: memory,
    _malloc: (bytes: number): number => {
      allocations++;
      const p = top;
      top = (top + bytes + 15) & ~15;
      assert.ok(top <= memory.buffer.byteLength, 'test heap exhausted');
      return p;
    },
    _free: (): void => {},
  };
  const f32 = (p: number, n: number): Float32Array => new Float32Array(memory.buffer, p, n);
  const place = (data: Float32Array): number => {
    const p = heap._malloc(data.byteLength);
    f32(p, data.length).set(data);
    return p;
  };
  const [n, h, w, c, k] = [5, 14, 14, 32, 64];
  const job = (y: number): ConvJob => ({
    x: place(values(n * h * w * c, 31)),
    filter: place(values(25 * c * k, 32)),
    bias: place(values(k, 33)),
    y,
    n,
    height: h,
    width: w,
    inChannels: c,
    outChannels: k,
    relu: true,
  });
  const one = new KernelThreads(heap, 1);
  const two = new KernelThreads(heap, 2);
  // As on a machine of 4 or more cores (wasmThreads' most): three helpers claim ranges too.
  const four = new KernelThreads(heap, 4);
  after(() => Promise.all([two.dispose(), four.dispose()]));

  test('threads claim whole blocks of tiles: TILE_BLOCK is conv5x5.c’s block', () => {
    for (const [n, h, w] of [
      [1, 4, 4],
      [7, 10, 10],
      [50, 14, 14],
      [3, 28, 28],
    ] as const) {
      const tiles = one.exports.tileCount(n, h, w);
      assert.equal(
        one.exports.tileBlocks(n, h, w),
        Math.ceil(tiles / TILE_BLOCK),
        `${n}×${h}×${w}`,
      );
    }
  });

  // Two threads: one helper claims ranges against this thread; four: three helpers do.
  for (const [many, count] of [
    [two, 2],
    [four, 4],
  ] as const) {
    test(`${count} threads write exactly what one writes, the filter transform too`, async () => {
      await many.whenReady();
      const [y1, yn] = [heap._malloc(n * h * w * k * 4), heap._malloc(n * h * w * k * 4)];
      convolve(one, job(y1));
      convolve(many, job(yn));
      assert.equal(one.lastThreads.conv, 1);
      assert.deepEqual([many.lastThreads.conv, many.lastThreads.filter], [count, count]);
      assert.ok(
        f32(y1, n * h * w * k).some((v) => v > 0),
        'an all-zero result tests nothing',
      );
      assert.deepEqual(f32(yn, n * h * w * k), f32(y1, n * h * w * k));
    });
  }

  test('the filter gradient equals a direct sum, bit for bit the same on one thread and two', async () => {
    await two.whenReady();
    // 24 tiles and two blocks of four input channels: enough for two threads
    const [gn, gh, gw, gc, gk] = [6, 7, 7, 8, 8];
    const xs = values(gn * gh * gw * gc, 34);
    const dys = values(gn * gh * gw * gk, 35);
    const want = new Float64Array(25 * gc * gk);
    for (let b = 0; b < gn; b++)
      for (let y = 0; y < gh; y++)
        for (let x = 0; x < gw; x++)
          for (let a = 0; a < 25; a++) {
            const [yy, xx] = [y + Math.floor(a / 5) - 2, x + (a % 5) - 2];
            if (yy < 0 || yy >= gh || xx < 0 || xx >= gw) continue;
            for (let c = 0; c < gc; c++)
              for (let k = 0; k < gk; k++)
                want[(a * gc + c) * gk + k]! +=
                  xs[((b * gh + yy) * gw + xx) * gc + c]! * dys[((b * gh + y) * gw + x) * gk + k]!;
          }
    const results = [one, two].map((runner) => {
      const dw = heap._malloc(want.length * 4);
      const job = { x: place(xs), dy: place(dys), dw, n: gn, height: gh, width: gw };
      filterGradient(runner, { ...job, inChannels: gc, outChannels: gk });
      assert.equal(runner.lastThreads.filterGradParts, runner === one ? 1 : 2);
      const got = f32(dw, want.length);
      const worst = Math.max(...got.map((v, i) => Math.abs(v - want[i]!)));
      assert.ok(worst < 1e-4, `threads ${runner.lastThreads.filterGradParts}: off by ${worst}`);
      return got;
    });
    // Not just close: each sum is one thread's, in the same order whatever the thread count.
    assert.deepEqual(results[1], results[0]);
  });

  test('repeated operations reuse one workspace instead of allocating each time', () => {
    const conv = job(heap._malloc(n * h * w * k * 4));
    const grad = {
      x: conv.x,
      dy: place(values(n * h * w * k, 36)),
      dw: heap._malloc(25 * c * k * 4),
    };
    const gradJob = { ...grad, n, height: h, width: w, inChannels: c, outChannels: k };
    const fresh = new KernelThreads(heap, 1);
    filterGradient(fresh, gradJob); // the larger of the two: its workspace serves both
    const before = allocations;
    for (let i = 0; i < 3; i++) {
      convolve(fresh, conv);
      filterGradient(fresh, gradJob);
    }
    assert.equal(allocations, before, 'the tfjs heap was asked for memory again');
  });

  test('an address outside the memory fails with an error, and the helper lives on', async () => {
    await two.whenReady();
    const bad = { ...job(heap._malloc(n * h * w * k * 4)), x: memory.buffer.byteLength - 64 };
    assert.throws(() => convolve(two, bad), /wasm kernel conv failed: .*out of bounds/);
    const y = heap._malloc(n * h * w * k * 4);
    convolve(two, job(y));
    assert.equal(two.lastThreads.conv, 2);
  });
});
