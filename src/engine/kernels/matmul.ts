// Unbatched float32 products C = op(A)·op(B) for the wasm backend by ./wasm/matmul.c, which reads
// both operands where they lie in every transposed form (XNNPACK needs explicit transposes and
// repacks the right operand on every call: see ./batch-matmul.ts), split across the kernel threads.
import type { TensorInfo } from '@tensorflow/tfjs';
import { isHeapBackend, kernelThreadsFor, offsetIn } from './heap-backend.ts';
import { longestRange } from './wasm/claims.ts';

// Below this many multiply-adds per thread, waking a helper costs more than it saves.
const MIN_MACS_PER_THREAD = 16_000_000;
// Rows of B that NN packs at a time: a thread's block (128 × 500 floats for the dense layer's
// forward pass, 256 KB) stays in L2 while the rows of A pass over it.
const NN_PACK_ROWS = 128;
// From this many floats of B, NN packs it (see matmul.c): a smaller B stays in cache, where
// reading it in place is faster (the Standard NN's 784 × 300 weights: 0.66 ms in place, 0.71
// packed; the tutorial's 3136 × 1000, after the update: 8.2 ms in place, 5.9 packed).
const NN_PACK_FROM = 1 << 20;

const outer = (t: TensorInfo): number => t.shape.slice(0, -2).reduce((p, d) => p * d, 1);

/** [rows, cols] of the last two dimensions, or null below rank 2. */
function matrix(t: TensorInfo): [number, number] | null {
  const [r, c] = t.shape.slice(-2);
  return t.shape.length >= 2 ? [r!, c!] : null;
}

/**
 * op(a)·op(b) into a new tensor of wasm's BatchMatMul output shape (outer dims of 1, then
 * [m, n]); null where this does not apply (another backend, batched or non-float products, or
 * mismatched shapes, which the caller's fallback reports in its usual words).
 */
export function heapProduct(
  backend: unknown,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo | null {
  const ma = matrix(a);
  const mb = matrix(b);
  if (!isHeapBackend(backend) || ma === null || mb === null) return null;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || outer(a) !== 1 || outer(b) !== 1) {
    return null;
  }
  if (transposeA && transposeB) return null; // no dense layer asks for Aᵀ·Bᵀ
  const [m, k] = transposeA ? [ma[1], ma[0]] : ma;
  const [k2, n] = transposeB ? [mb[1], mb[0]] : mb;
  if (k !== k2 || m === 0 || n === 0) return null;
  const rank = Math.max(a.shape.length, b.shape.length);
  const out = backend.makeOutput([...Array<number>(rank - 2).fill(1), m, n], 'float32');
  const t = kernelThreadsFor(backend);
  const at = offsetIn(backend);
  const threads = t.threadsFor(Math.floor((m * n * k) / MIN_MACS_PER_THREAD));
  const head = [at(a), at(b), at(out), m, k, n];
  // NN splits columns in panels of 8, NT in blocks of 4, TN rows in blocks of 4.
  const [op, units, step] = transposeA
    ? (['matmulTN', m, 4] as const)
    : transposeB
      ? (['matmulNT', n, 4] as const)
      : (['matmulNN', n, 8] as const);
  // NN's last two arguments: where each thread packs B, and how many rows at a time (0: in place).
  const kc = op === 'matmulNN' && k * n >= NN_PACK_FROM ? Math.min(k, NN_PACK_ROWS) : 0;
  const width = longestRange(units, threads, step);
  const packed = kc > 0 ? t.buffers(Array<number>(threads).fill(kc * width * 4)) : [];
  t.ranges(op, threads, { units, step }, (i) => [head, [packed[i] ?? 0, kc]]);
  return out;
}
