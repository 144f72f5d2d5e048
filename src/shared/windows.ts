// Where an output pixel looks: the window of a pooling layer's input it took the maximum (or the
// average) of, with SAME padding's cells outside the border marked, and the region of the input
// image any pixel of any layer depends on (its receptive field). Pure arithmetic on the spec,
// with TensorFlow's padding rule (./network-shapes.ts); tests hold it to tfjs's own outputs.
import { outSize, padsOf } from './network-shapes.ts';
import type { LayerSpec } from './network.ts';

/** One cell of a window: its place in the layer's input, or outside it (padding). */
export interface WindowCell {
  y: number;
  x: number;
  /** False where SAME padding reaches past the border: no input there. */
  inside: boolean;
}

/** A k×k window's top-left in the input for output (y, x); negative where padding comes first. */
export function windowOrigin(
  inH: number,
  inW: number,
  k: number,
  stride: number,
  padding: 'same' | 'valid',
  y: number,
  x: number,
): [number, number] {
  return [
    y * stride - padsOf(inH, k, stride, padding)[0],
    x * stride - padsOf(inW, k, stride, padding)[0],
  ];
}

/**
 * The pooling window of output (y, x), row by row, for an input of inH×inW. TensorFlow's pooling
 * ignores padded cells (the maximum, and the average, of the cells inside only).
 */
export function poolWindow(
  layer: Extract<LayerSpec, { kind: 'maxpool' | 'avgpool' }>,
  inH: number,
  inW: number,
  y: number,
  x: number,
): WindowCell[] {
  const [top, left] = windowOrigin(inH, inW, layer.size, layer.stride, layer.padding, y, x);
  const cells: WindowCell[] = [];
  for (let dy = 0; dy < layer.size; dy++)
    for (let dx = 0; dx < layer.size; dx++) {
      const [cy, cx] = [top + dy, left + dx];
      cells.push({ y: cy, x: cx, inside: cy >= 0 && cy < inH && cx >= 0 && cx < inW });
    }
  return cells;
}

/** The window (kernel or pool) a layer slides, or null for layers that see everything or one value. */
function windowOf(l: LayerSpec): { k: number; stride: number; padding: 'same' | 'valid' } | null {
  if (l.kind === 'conv') return { k: l.kernel, stride: l.stride, padding: l.padding };
  if (l.kind === 'maxpool' || l.kind === 'avgpool')
    return { k: l.size, stride: l.stride, padding: l.padding };
  return null;
}

/** The input image's rows (or columns) that output rows a..b of layer `upTo` depend on. */
function fieldAlong(
  layers: readonly LayerSpec[],
  upTo: number,
  a: number,
  b: number,
  size: number,
): [number, number] {
  const sizes = [size]; // along this axis, before each layer
  for (const l of layers.slice(0, upTo)) {
    const w = windowOf(l);
    sizes.push(w ? outSize(sizes.at(-1)!, w.k, w.stride, w.padding) : sizes.at(-1)!);
  }
  for (let i = upTo; i >= 0; i--) {
    const w = windowOf(layers[i]!);
    if (!w) continue;
    const n = sizes[i]!;
    const [before] = padsOf(n, w.k, w.stride, w.padding);
    [a, b] = [Math.max(0, a * w.stride - before), Math.min(n - 1, b * w.stride - before + w.k - 1)];
  }
  return [a, b];
}

/**
 * The part of the input image (height×width) that output pixel (y, x) of layer `index` sees:
 * [top, left, bottom, right], inclusive. Only for layers before the first flatten or dense.
 */
export function receptiveField(
  layers: readonly LayerSpec[],
  index: number,
  y: number,
  x: number,
  height: number,
  width: number,
): [number, number, number, number] {
  const [r0, r1] = fieldAlong(layers, index, y, y, height);
  const [c0, c1] = fieldAlong(layers, index, x, x, width);
  return [r0, c0, r1, c1];
}
