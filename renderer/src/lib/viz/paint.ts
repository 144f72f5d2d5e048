// Svelte attachments that draw pixel data on a canvas with putImageData. The canvas keeps its data
// size (e.g. 5×5) and CSS scales it up with `image-rendering: pixelated`: no per-pixel DOM.
import type { Attachment } from 'svelte/attachments';
import { GREY, toRgba } from './colormap.ts';

/** Draws `rgba` (width×height×4 bytes) at the canvas's own resolution. */
export function paintRgba(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  rgba: Uint8ClampedArray<ArrayBuffer>,
): void {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  canvas.getContext('2d')?.putImageData(new ImageData(rgba, width, height), 0, 0);
}

/** `{@attach pixels(rgba, 5, 5)}`: re-runs whenever a new array is passed. */
export const pixels =
  (
    rgba: Uint8ClampedArray<ArrayBuffer>,
    width: number,
    height: number,
  ): Attachment<HTMLCanvasElement> =>
  (canvas) =>
    paintRgba(canvas, width, height, rgba);

/** `{@attach greyImage(values, 28, 28, 255)}`: grey levels 0..max, ink bright on black. */
export const greyImage =
  (
    values: ArrayLike<number>,
    width: number,
    height: number,
    max = 1,
  ): Attachment<HTMLCanvasElement> =>
  (canvas) =>
    paintRgba(canvas, width, height, toRgba(values, GREY, max, 'sequential'));
