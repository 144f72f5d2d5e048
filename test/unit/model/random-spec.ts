// Random valid-looking network specs for the properties over networks: every layer kind, each
// padding, from a seeded generator so every run sees the same specs.
import {
  ACTIVATIONS,
  outputLayer,
  type LayerSpec,
  type NetworkSpec,
} from '../../../src/shared/network.ts';

/** A small seeded generator, so the random specs are the same on every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

export function randomSpec(next: () => number): NetworkSpec {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const layers: LayerSpec[] = [];
  for (let i = int(0, 4); i > 0; i--) {
    const r = next();
    const padding = pick(['same', 'valid'] as const);
    if (r < 0.5)
      layers.push({
        kind: 'conv',
        filters: int(1, 12),
        kernel: int(1, 7),
        stride: int(1, 3),
        padding,
        activation: pick(ACTIVATIONS),
      });
    else if (r < 0.8)
      layers.push({
        kind: pick(['maxpool', 'avgpool'] as const),
        size: int(1, 4),
        stride: int(1, 4),
        padding,
      });
    else layers.push({ kind: 'dropout', rate: Math.round(next() * 90) / 100 });
  }
  layers.push({ kind: 'flatten' });
  for (let i = int(0, 2); i > 0; i--)
    if (next() < 0.7)
      layers.push({ kind: 'dense', units: int(1, 64), activation: pick(ACTIVATIONS) });
    else layers.push({ kind: 'dropout', rate: 0.25 });
  layers.push(outputLayer(10));
  return { layers };
}
