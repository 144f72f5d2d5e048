// What threads.ts calls in the kernels' module (kernels-wasm.ts, built from *.c), and the ops that
// threads share, by name: a helper thread runs one by its index in OPS.

/** The module's exports; every argument is an i32 (a byte offset, a size or an index). */
export interface KernelExports {
  __stack_pointer: WebAssembly.Global;
  /** w, u, C, K, first input channel, end input channel. */
  filter(...args: number[]): void;
  scratchFloats(h: number, w: number, c: number, k: number): number;
  /** Floats of a transformed filter (and of one sum of a filter gradient's products). */
  transformFloats(c: number, k: number): number;
  /** Output tiles of an [n, h, w, ·] convolution. */
  tileCount(n: number, h: number, w: number): number;
  /** x, u, bias (0 = none), y, N, H, W, C, K, relu (0/1), first tile, end tile, scratch. */
  conv(...args: number[]): void;
  /** Blocks of tiles of an [n, h, w, ·] filter gradient (the most parts it can have). */
  tileBlocks(n: number, h: number, w: number): number;
  /** x, dy, m, N, H, W, C, K, parts, first part, end part, scratch. */
  filterGradParts(...args: number[]): void;
  /** m, parts, dw, C, K, first channel, end channel. */
  filterGradFinish(...args: number[]): void;
  /** x, dy, m, shape, parts, first part, end part. */
  filterGradDirectParts(...args: number[]): void;
  sumParts(m: number, parts: number, size: number, dw: number): void;
  columnSum(x: number, out: number, rows: number, cols: number): void;
  /** job, first element, end element. */
  adam(...args: number[]): void;
  /** x, dy, dx, shape, first image, end image, scratch. */
  maxPoolGrad(...args: number[]): void;
  /** x, y, shape, first image, end image, scratch. */
  maxPool(...args: number[]): void;
  /** A, B, C, m, k, n, first, end (columns for NN and NT, rows for TN); NN: packed, kc. */
  matmulNN(...args: number[]): void;
  matmulNT(...args: number[]): void;
  matmulTN(...args: number[]): void;
  /** x, bias, out, columns, first row, end row. */
  biasAdd(...args: number[]): void;
  /** dy, x, dx, first element, end element. */
  reluGrad(...args: number[]): void;
  /** x, out, first element, end element. */
  relu(...args: number[]): void;
  /** x, filter, bias (0 = none), y, shape, relu (0/1), first row, end row, padded image. */
  convDirect(...args: number[]): void;
}

/** The exports that threads share: a helper runs one by its index here (its `op` slot). */
export const OPS = [
  'filter',
  'conv',
  'filterGradParts',
  'filterGradFinish',
  'filterGradDirectParts',
  'adam',
  'maxPoolGrad',
  'matmulNN',
  'matmulNT',
  'matmulTN',
  'biasAdd',
  'reluGrad',
  'relu',
  'convDirect',
  'maxPool',
] as const;
export type Op = (typeof OPS)[number];
