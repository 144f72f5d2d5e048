// Winograd F(4×4, 5×5) convolutions and F(5×5, 4×4) filter gradients (conv5x5.c) on the kernel
// threads, which claim ranges of blocks of tiles (of sums, for a gradient) as they go.
import type { KernelThreads } from './threads.ts';

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

// Below this many 4×4 tiles per thread, waking a helper costs more than it saves.
const MIN_TILES_PER_THREAD = 8;
/** Tiles in a block, the micro-kernels' rows (TB in conv5x5.c). */
export const TILE_BLOCK = 16;
// Sums of tiles in a filter gradient (the units its threads claim), however many threads.
const GRADIENT_PARTS = 4;

const tilesOf = (t: KernelThreads, job: ConvShape): number =>
  t.exports.tileCount(job.n, job.height, job.width);

function scratchBytes(t: KernelThreads, job: ConvShape, threads: number): number[] {
  const bytes = t.exports.scratchFloats(job.height, job.width, job.inChannels, job.outChannels) * 4;
  return Array.from({ length: threads }, () => bytes);
}

/** y = conv(x, filter) + bias, then ReLU if asked. */
export function convolve(t: KernelThreads, job: ConvJob): void {
  const { inChannels: c, outChannels: k } = job;
  const tiles = tilesOf(t, job);
  // Each tile is computed on its own, so any split gives the same bits.
  const threads = t.threadsFor(Math.floor(tiles / MIN_TILES_PER_THREAD));
  const [u, ...scratch] = t.buffers([
    t.exports.transformFloats(c, k) * 4,
    ...scratchBytes(t, job, threads),
  ]);
  // ~0.35 ms for conv2's filter on one thread: split by input channels, each transformed alone.
  t.ranges('filter', t.threadsFor(c / 4), { units: c }, () => [[job.filter, u!, c, k], []]);
  const head = [job.x, u!, job.bias ?? 0, job.y, job.n, job.height, job.width, c, k];
  // Ranges of whole blocks of tiles (the micro-kernels' rows).
  const ranges = { units: tiles, step: TILE_BLOCK };
  t.ranges('conv', threads, ranges, (i) => [[...head, job.relu ? 1 : 0], [scratch[i]!]]);
}

/** dw for a 5×5 SAME convolution of x that gave the output gradient dy. */
export function filterGradient(t: KernelThreads, job: FilterGradientJob): void {
  const { inChannels: c, outChannels: k } = job;
  // The tiles' products are summed in GRADIENT_PARTS sums (fewer for small jobs), added in
  // order at the end: a number fixed by the job alone, so any number of threads gives the same
  // bits. Each part's sums (64·C·K floats) are read again at the end, so few parts.
  const parts = Math.min(GRADIENT_PARTS, t.exports.tileBlocks(job.n, job.height, job.width));
  const threads = t.threadsFor(parts);
  const [m, ...scratch] = t.buffers([
    parts * t.exports.transformFloats(c, k) * 4,
    ...scratchBytes(t, job, threads),
  ]);
  const head = [job.x, job.dy, m!, job.n, job.height, job.width, c, k, parts];
  t.ranges('filterGradParts', threads, { units: parts }, (i) => [head, [scratch[i]!]]);
  const finishing = t.threadsFor(c / 4);
  const channels = { units: c, step: 4 };
  t.ranges('filterGradFinish', finishing, channels, () => [[m!, parts, job.dw, c, k], []]);
}
