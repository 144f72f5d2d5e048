// BatchMatMul for the wasm backend: wasm multiplies with XNNPACK only when neither side is
// transposed (a transposed product, i.e. every dense-layer gradient, falls to a plain loop), and
// XNNPACK first repacks the right operand with a cache-hostile transposing copy.
import type { BatchMatMulAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { dispose, run, transpose, view } from './kernel-util.ts';
import { heapProduct } from './matmul.ts';
import type { KernelBackendLike, WasmOriginals } from './kernel-util.ts';

const size = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

// Cost of XNNPACK's repacking of the right operand per float, relative to one float moved by
// wasm's Transpose (measured: [3136,1000] repack ~23 ms, transpose ~3 ms).
const REPACK_COST = 8;
// Fixed cost of one extra kernel call (allocation, call into wasm), in floats moved.
const CALL_COST = 4096;

/** [rows, cols] of the last two dimensions. */
function matrix(t: TensorInfo): [number, number] {
  const r = t.shape[t.shape.length - 2];
  const c = t.shape[t.shape.length - 1];
  if (r === undefined || c === undefined)
    throw new Error(`BatchMatMul needs rank >= 2, got [${t.shape.join(',')}]`);
  return [r, c];
}

/**
 * How to compute C[m,n] = op(A)[m,k]·op(B)[k,n] (see batchMatMulConfig): the plan that moves
 * fewer floats, counting XNNPACK's repacking of the right operand extra.
 */
export function matMulPlan(
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
): 'direct' | 'flipped' {
  const move = (floats: number): number => CALL_COST + floats;
  const direct = (transposeA ? move(m * k) : 0) + (transposeB ? move(k * n) : 0);
  const flipped = (transposeA ? 0 : move(m * k)) + (transposeB ? 0 : move(k * n)) + move(m * n);
  return direct + REPACK_COST * k * n <= flipped + REPACK_COST * m * k ? 'direct' : 'flipped';
}

/**
 * C = op(A)·op(B) becomes explicit 2-D transposes plus wasm's fast plain product, one of two ways:
 *  direct:  C = A'·B'               with A' = op(A), B' = op(B) materialised;
 *  flipped: C = (op(B)^T·op(A)^T)^T, where op(X)^T is X itself when X was to be transposed.
 * Pick the cheaper in floats moved, XNNPACK's repacking of the right operand counting extra: for a
 * dense layer, the forward x·W and dx = dy·W^T both keep the big weight matrix on the left.
 * Returns null where wasm's original kernel is the right one: batched (outer size > 1) or
 * non-float products, a shape error it should report, or a direct plan with nothing to transpose.
 * The result has wasm's output shape: outer dims of 1, then [m, n].
 */
export function plannedProduct(
  o: WasmOriginals,
  backend: KernelBackendLike,
  a: TensorInfo,
  bIn: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo | null {
  const original = o.batchMatMul;
  if (
    a.dtype !== 'float32' ||
    bIn.dtype !== 'float32' ||
    size(a.shape.slice(0, -2)) !== 1 ||
    size(bIn.shape.slice(0, -2)) !== 1
  ) {
    return null;
  }
  const [aRows, aCols] = matrix(a);
  const [bRows, bCols] = matrix(bIn);
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [k2, n] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (k !== k2) return null; // let wasm raise its usual shape error
  const a2 = view(a, [aRows, aCols]);
  const b2 = view(bIn, [bRows, bCols]);
  const t = (x: TensorInfo): TensorInfo => transpose(o, x, [1, 0], backend);
  const mul = (l: TensorInfo, r: TensorInfo): TensorInfo => {
    const [lr, lc] = matrix(l);
    const [rr, rc] = matrix(r);
    return run(original, { a: view(l, [1, lr, lc]), b: view(r, [1, rr, rc]) }, backend, {
      transposeA: false,
      transposeB: false,
    });
  };

  let out: TensorInfo;
  if (matMulPlan(m, k, n, transposeA, transposeB) === 'direct') {
    if (!transposeA && !transposeB) return null;
    const l = transposeA ? t(a2) : a2;
    const r = transposeB ? t(b2) : b2;
    out = mul(l, r);
    if (transposeA) dispose(backend, l);
    if (transposeB) dispose(backend, r);
  } else {
    const l = transposeB ? b2 : t(b2);
    const r = transposeA ? a2 : t(a2);
    const cT = mul(l, r);
    out = t(view(cT, [n, m]));
    if (!transposeB) dispose(backend, l);
    if (!transposeA) dispose(backend, r);
    dispose(backend, cT);
  }
  const outer = Math.max(a.shape.length, bIn.shape.length) - 2;
  return view(out, [...Array<number>(outer).fill(1), m, n]);
}

/**
 * BatchMatMul by our own product (./matmul.ts) where it applies, else through plannedProduct,
 * else wasm's own kernel.
 */
export function batchMatMulConfig(o: WasmOriginals): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as BatchMatMulAttrs;
    const backend = args.backend as KernelBackendLike;
    return (
      heapProduct(backend, a, b, transposeA, transposeB) ??
      plannedProduct(o, backend, a, b, transposeA, transposeB) ??
      o.batchMatMul.kernelFunc(args)
    );
  };
  // Keep the original setup: the plain product and the fallback need the cwrap it creates.
  return { ...o.batchMatMul, kernelFunc };
}
