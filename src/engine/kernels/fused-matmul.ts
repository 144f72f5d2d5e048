// _FusedMatMul (matmul + bias + activation, what a dense layer runs outside training) for the
// wasm backend. wasm hands it to XNNPACK, which repacks the right operand whenever that tensor is
// new: after every training step the dense layer's 3136×1000 weights are, so predicting one drawn
// digit mid-run spent ~23 of its ~25 ms repacking. Our own product (./matmul.ts) takes it instead,
// or else BatchMatMul's plan (./batch-matmul.ts): for a batch of 1 000 test images ours is as fast
// as XNNPACK on a pool of two threads, and the backend's own pool now has one (wasm-threads.ts).
import type { KernelConfig, KernelFunc, TensorInfo, _FusedMatMulAttrs } from '@tensorflow/tfjs';
import { plannedProduct } from './batch-matmul.ts';
import { heapProduct } from './matmul.ts';
import { addConfig, reluConfig } from './elementwise.ts';
import {
  dispose,
  reluOrLinear,
  run,
  type KernelBackendLike,
  type WasmOriginals,
} from './kernel-util.ts';

export function fusedMatMulConfig(o: WasmOriginals): KernelConfig {
  const original = o.fusedMatMul;
  // The bias and ReLU as the registered kernels do them (on the kernel threads where they pay).
  const [add, relu] = [addConfig(o), reluConfig(o)];
  const kernelFunc: KernelFunc = (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as {
      a: TensorInfo;
      b: TensorInfo;
      bias?: TensorInfo;
      preluActivationWeights?: TensorInfo;
    };
    const { transposeA, transposeB, activation } = args.attrs as unknown as _FusedMatMulAttrs;
    const backend = args.backend as KernelBackendLike;
    const simple = reluOrLinear(activation, preluActivationWeights);
    const product = !simple
      ? null
      : (heapProduct(backend, a, b, transposeA, transposeB) ??
        plannedProduct(o, backend, a, b, transposeA, transposeB));
    if (product === null) return original.kernelFunc(args);
    let out = product;
    if (bias) {
      const sum = run(add, { a: out, b: bias }, backend);
      dispose(backend, out);
      out = sum;
    }
    if (activation === 'relu') {
      const r = run(relu, { x: out }, backend);
      dispose(backend, out);
      out = r;
    }
    return out;
  };
  return { ...original, kernelFunc };
}
