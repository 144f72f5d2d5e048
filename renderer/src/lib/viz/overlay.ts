// A map laid over the image it explains: each pixel is the grey image, tinted by the map's colour
// in proportion to how strong the map is there, so weak values leave the digit visible.
import type { Lut } from './colormap.ts';

/**
 * RGBA for `heat` over the grey `base` (both one value per pixel; base in 0..1, ink bright).
 * Diverging maps run -scale..+scale, sequential 0..scale; opacity grows with |value| / scale.
 */
export function overlayRgba(
  base: ArrayLike<number>,
  heat: ArrayLike<number>,
  map: Lut,
  scale: number,
  kind: 'diverging' | 'sequential',
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(base.length * 4);
  const s = scale > 0 ? scale : 1;
  for (let i = 0; i < base.length; i++) {
    const v = Number.isFinite(heat[i]) ? heat[i]! : 0;
    const t = Math.min(1, Math.max(0, kind === 'diverging' ? (v / s + 1) / 2 : v / s));
    const k = Math.round(t * 255) * 3;
    const alpha = Math.min(1, Math.abs(v) / s) * 0.85;
    const grey = Math.min(1, Math.max(0, base[i]!)) * 255;
    for (let c = 0; c < 3; c++) out[i * 4 + c] = grey * (1 - alpha) + map[k + c]! * alpha;
    out[i * 4 + 3] = 255;
  }
  return out;
}
