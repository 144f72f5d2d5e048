// Winograd F(2×2, 5×5) convolutions and F(5×5, 2×2) filter gradients (conv5x5.c) on the kernel
// threads: the work is split into ranges of tiles, one per thread.
import { share, type KernelThreads } from './threads.ts';

/** The sizes every operation here shares: x is [n, height, width, inChannels]. */
export interface ConvShape {
  n: number;
  height: number;
  width: number;
  inChannels: number; // multiple of 4
  outChannels: number; // multiple of 8
}

/** Addresses (byte offsets into the backend's memory) of one convolution. */
export interface ConvJob extends ConvShape {
  x: number; // [N, H, W, C] float32
  filter: number; // [5, 5, C, K] float32
  bias: number | null; // [K] float32
  y: number; // [N, H, W, K] float32, written
  relu: boolean;
}

/** Addresses of one filter gradient: dw = Σ xpad ⋆ dy, as Conv2DBackpropFilter. */
export interface FilterGradientJob extends ConvShape {
  x: number; // [N, H, W, C] float32
  dy: number; // [N, H, W, K] float32
  dw: number; // [5, 5, C, K] float32, written
}

// Below this many 2×2 tiles per thread, waking a helper costs more than it saves.
const MIN_TILES_PER_THREAD = 32;
// Sums of tiles in a filter gradient: divisible by 1..4 threads, and few enough to add cheaply.
const GRADIENT_PARTS = 12;

const tilesOf = (job: ConvShape): number =>
  job.n * Math.ceil(job.height / 2) * Math.ceil(job.width / 2);

function scratchBytes(t: KernelThreads, job: ConvShape, threads: number): number[] {
  const bytes = t.exports.scratchFloats(job.inChannels, job.outChannels) * 4;
  return Array.from({ length: threads }, () => bytes);
}

/** y = conv(x, filter) + bias, then ReLU if asked. */
export function convolve(t: KernelThreads, job: ConvJob): void {
  const { inChannels: c, outChannels: k } = job;
  const tiles = tilesOf(job);
  // Each tile is computed on its own, so any split gives the same bits.
  const threads = t.threadsFor(Math.floor(tiles / MIN_TILES_PER_THREAD));
  const [u, ...scratch] = t.buffers([36 * c * k * 4, ...scratchBytes(t, job, threads)]);
  t.exports.filter(job.filter, u!, c, k);
  const head = [job.x, u!, job.bias ?? 0, job.y, job.n, job.height, job.width, c, k];
  t.parallel('conv', threads, (i) => [
    ...head,
    job.relu ? 1 : 0,
    ...share(tiles, threads, i),
    scratch[i]!,
  ]);
}

/** dw for a 5×5 SAME convolution of x that gave the output gradient dy. */
export function filterGradient(t: KernelThreads, job: FilterGradientJob): void {
  const { inChannels: c, outChannels: k } = job;
  // The tiles' products are summed in GRADIENT_PARTS sums (fewer for small jobs), added in
  // order at the end: a number fixed by the job alone, so 1 to 4 threads give the same bits.
  const parts = Math.max(
    1,
    Math.min(GRADIENT_PARTS, Math.floor(tilesOf(job) / MIN_TILES_PER_THREAD)),
  );
  const threads = t.threadsFor(parts);
  const floats = parts * 36 * c * k;
  const [m, ...scratch] = t.buffers([floats * 4, ...scratchBytes(t, job, threads)]);
  new Float32Array(t.memory.buffer, m, floats).fill(0);
  const head = [job.x, job.dy, m!, job.n, job.height, job.width, c, k, parts];
  t.parallel('filterGradParts', threads, (i) => [
    ...head,
    ...share(parts, threads, i),
    scratch[i]!,
  ]);
  t.exports.filterGradFinish(m!, parts, job.dw, c, k);
}
