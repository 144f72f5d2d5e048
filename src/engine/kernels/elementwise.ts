// Element-wise kernels for the wasm backend over the convolutions' large activations
// (./wasm/elementwise.c), split across the kernel threads where they are large enough:
//  - Add of a bias to every pixel (x [..., C] + b [C]), which wasm's broadcasting Add does on one
//    thread through a general index loop;
//  - Relu of a large tensor, which wasm runs on one thread (its pool has one: wasm-threads.ts);
//  - ReLU's gradient dy · step(x) in one pass (CnnStudioReluGrad), where tfjs-core's gradient
//    makes a Step tensor and then multiplies (and, before identity.ts, cast it too).
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { isHeapBackend, kernelThreadsFor, offsetIn, sizeOf } from './heap-backend.ts';
import type { WasmOriginals } from './kernel-util.ts';

export const RELU_GRAD = 'CnnStudioReluGrad';
// Below this many elements per thread, waking a helper costs more than it saves.
const MIN_ELEMENTS_PER_THREAD = 65_536;

/** Whether `b` is a bias for `x`: float32 [C] or [1, …, 1, C], with C = x's last dimension. */
function isBias(x: TensorInfo, b: TensorInfo): boolean {
  const c = x.shape.at(-1);
  return (
    c !== undefined &&
    b.shape.length <= x.shape.length &&
    b.shape.at(-1) === c &&
    b.shape.slice(0, -1).every((d) => d === 1)
  );
}

/** Add by biasAdd where one side is x [..., C] and the other its bias, C a multiple of 4. */
export function addConfig(o: WasmOriginals): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const backend = args.backend;
    // a + b and b + a are the same float32 sum: the bias may be on either side.
    const [x, bias] = isBias(a, b) ? [a, b] : [b, a];
    const c = x.shape.at(-1) ?? 0;
    if (
      !isHeapBackend(backend) ||
      x.dtype !== 'float32' ||
      bias.dtype !== 'float32' ||
      c % 4 !== 0 ||
      !isBias(x, bias)
    ) {
      return o.add.kernelFunc(args);
    }
    const out = backend.makeOutput(x.shape, 'float32');
    const t = kernelThreadsFor(backend);
    const at = offsetIn(backend);
    const rows = sizeOf(x) / c;
    const threads = t.threadsFor(Math.floor(sizeOf(x) / MIN_ELEMENTS_PER_THREAD));
    t.ranges('biasAdd', threads, { units: rows }, () => [[at(x), at(bias), at(out), c], []]);
    return out;
  };
  return { ...o.add, kernelFunc };
}

/** Relu by our kernel for float32 tensors large enough to split; else the backend's own. */
export function reluConfig(o: WasmOriginals): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const backend = args.backend;
    const n = sizeOf(x);
    if (!isHeapBackend(backend) || x.dtype !== 'float32' || n < 2 * MIN_ELEMENTS_PER_THREAD) {
      return o.relu.kernelFunc(args);
    }
    const out = backend.makeOutput(x.shape, 'float32');
    const t = kernelThreadsFor(backend);
    const at = offsetIn(backend);
    const threads = t.threadsFor(Math.floor(n / MIN_ELEMENTS_PER_THREAD));
    t.ranges('relu', threads, { units: n, step: 4 }, () => [[at(x), at(out)], []]);
    return out;
  };
  return { ...o.relu, kernelFunc };
}

export const reluGradKernelConfig: KernelConfig = {
  kernelName: RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: (({ inputs, backend }) => {
    const { dy, x } = inputs as { dy: TensorInfo; x: TensorInfo };
    if (!isHeapBackend(backend) || dy.dtype !== 'float32' || x.dtype !== 'float32') {
      throw new Error(`${RELU_GRAD} needs float32 tensors on the wasm backend`);
    }
    const n = sizeOf(x);
    if (sizeOf(dy) !== n)
      throw new Error(`${RELU_GRAD}: the gradient and the input differ in size`);
    const out = backend.makeOutput(x.shape, 'float32');
    const t = kernelThreadsFor(backend);
    const at = offsetIn(backend);
    const threads = t.threadsFor(Math.floor(n / MIN_ELEMENTS_PER_THREAD));
    // Ranges start at multiples of 4 (the kernel's vectors).
    const args: [number[], number[]] = [[at(dy), at(x), at(out)], []];
    t.ranges('reluGrad', threads, { units: n, step: 4 }, () => args);
    return out;
  }) as KernelFunc,
};

/**
 * tfjs-core's gradient of Relu (gradients/Relu_grad.ts), computed in one pass by RELU_GRAD on a
 * backend that has it, else as tfjs-core computes it. Either way: dy · step(x), NaN where x is.
 */
export const reluGradient: GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    const g = dy as tf.Tensor;
    return {
      x: () =>
        tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined && x.dtype === 'float32'
          ? (tf.engine().runKernel(RELU_GRAD, { dy: g, x }) as tf.Tensor)
          : tf.mul(g, tf.cast(tf.step(x), 'float32')),
    };
  },
};
