// _FusedMatMul (matmul + bias + activation, what a dense layer runs outside training) for the
// wasm backend. wasm hands it to XNNPACK, which repacks the right operand whenever that tensor is
// new: after every training step the dense layer's 3136×1000 weights are, so predicting one drawn
// digit mid-run spent ~23 of its ~25 ms repacking. Small batches take our own product instead
// (./matmul.ts), which reads the weights in place, or else BatchMatMul's plan (./batch-matmul.ts);
// large ones keep wasm's fused kernel, whose packing is reused for as long as the weights stay the
// same.
import type { KernelConfig, KernelFunc, TensorInfo, _FusedMatMulAttrs } from '@tensorflow/tfjs';
import { plannedProduct } from './batch-matmul.ts';
import { heapProduct } from './matmul.ts';
import {
  dispose,
  reluOrLinear,
  run,
  type KernelBackendLike,
  type WasmOriginals,
} from './kernel-util.ts';

// Up to this many rows (images), a product is ours; above, wasm's fused kernel with its packing.
const SMALL_BATCH = 256;

export function fusedMatMulConfig(o: WasmOriginals): KernelConfig {
  const original = o.fusedMatMul;
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
    const rows = a.shape.at(transposeA ? -1 : -2) ?? 0;
    const product = !simple
      ? null
      : ((rows <= SMALL_BATCH ? heapProduct(backend, a, b, transposeA, transposeB) : null) ??
        plannedProduct(o, backend, a, b, transposeA, transposeB));
    if (product === null) return original.kernelFunc(args);
    let out = product;
    if (bias) {
      const sum = run(o.add, { a: out, b: bias }, backend);
      dispose(backend, out);
      out = sum;
    }
    if (activation === 'relu') {
      const r = run(o.relu, { x: out }, backend);
      dispose(backend, out);
      out = r;
    }
    return out;
  };
  return { ...original, kernelFunc };
}
