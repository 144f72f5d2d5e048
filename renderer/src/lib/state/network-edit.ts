// Editing a network in the layer strip: add, remove, move and change layers. Pure functions over
// the spec (tested under plain Node); the output layer — one unit per class — stays last and fixed.
// Whether the result can train is checkNetwork's to say, on the block it concerns.
import { ValidationError } from '$shared/guard.ts';
import type { LayerKind, LayerSpec, NetworkSpec } from '$shared/network.ts';
import { layerSpec } from '$shared/network-validate.ts';

/** What "Add" inserts of each kind: a reasonable first choice the learner then edits. */
export const NEW_LAYER: Readonly<Record<LayerKind, LayerSpec>> = {
  conv: { kind: 'conv', filters: 16, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
  maxpool: { kind: 'maxpool', size: 2, stride: 2, padding: 'same' },
  avgpool: { kind: 'avgpool', size: 2, stride: 2, padding: 'same' },
  flatten: { kind: 'flatten' },
  dense: { kind: 'dense', units: 128, activation: 'relu' },
  dropout: { kind: 'dropout', rate: 0.25 },
};

export const KIND_LABELS: Readonly<Record<LayerKind, string>> = {
  conv: 'Convolution',
  maxpool: 'Max pooling',
  avgpool: 'Average pooling',
  flatten: 'Flatten',
  dense: 'Dense',
  dropout: 'Dropout',
};

/** The last layer is the output: it cannot be moved, removed or changed here. */
export const isOutput = (spec: NetworkSpec, i: number): boolean => i === spec.layers.length - 1;

/** Inserts a new layer of `kind` at position `at` (before the output layer at the latest). */
export function insertLayer(spec: NetworkSpec, at: number, kind: LayerKind): NetworkSpec {
  const i = Math.max(0, Math.min(at, spec.layers.length - 1));
  const layers = [...spec.layers];
  layers.splice(i, 0, { ...NEW_LAYER[kind] });
  return { layers };
}

export function removeLayer(spec: NetworkSpec, i: number): NetworkSpec {
  if (i < 0 || isOutput(spec, i) || i >= spec.layers.length) return spec;
  return { layers: spec.layers.filter((_, j) => j !== i) };
}

/** Moves layer `i` one place towards the input (-1) or the output (+1), never past the output. */
export function moveLayer(spec: NetworkSpec, i: number, by: -1 | 1): NetworkSpec {
  const j = i + by;
  const last = spec.layers.length - 1;
  if (i < 0 || i >= last || j < 0 || j >= last) return spec;
  const layers = [...spec.layers];
  [layers[i], layers[j]] = [layers[j]!, layers[i]!];
  return { layers };
}

/**
 * Layer `i` with `field` set to `value` (as typed: numbers arrive as text), or why not, in the
 * words the validator uses ("must be between 1 and 256").
 */
export function setField(
  spec: NetworkSpec,
  i: number,
  field: string,
  value: string,
): { ok: true; spec: NetworkSpec } | { ok: false; reason: string } {
  const layer = spec.layers[i];
  if (layer === undefined || isOutput(spec, i))
    return { ok: false, reason: 'The output layer is fixed.' };
  const current = (layer as unknown as Record<string, unknown>)[field];
  const parsed = typeof current === 'number' ? (value.trim() === '' ? NaN : Number(value)) : value;
  if (Number.isNaN(parsed))
    return { ok: false, reason: `${LABELS[field] ?? field} must be a number.` };
  try {
    const next = layerSpec({ ...layer, [field]: parsed }, field);
    const layers = [...spec.layers];
    layers[i] = next;
    return { ok: true, spec: { layers } };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    return { ok: false, reason: `${LABELS[field] ?? field} ${e.problem}.` };
  }
}

/** The editable fields of each kind, in the order the form shows them. */
export const FIELDS: Readonly<Record<LayerKind, readonly string[]>> = {
  conv: ['filters', 'kernel', 'stride', 'padding', 'activation'],
  maxpool: ['size', 'stride', 'padding'],
  avgpool: ['size', 'stride', 'padding'],
  flatten: [],
  dense: ['units', 'activation'],
  dropout: ['rate'],
};

export const LABELS: Readonly<Record<string, string>> = {
  filters: 'Filters',
  kernel: 'Kernel size',
  stride: 'Stride',
  padding: 'Padding',
  activation: 'Activation',
  size: 'Window size',
  units: 'Units',
  rate: 'Rate',
};
