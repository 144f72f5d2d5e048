// A saved model's network, read back from its tfjs topology (model.json) rather than trusted from
// its metadata: the spec the layer strip shows is what the weights belong to. A layer the editor
// cannot express is refused with its name and class. No TensorFlow here (the host lists models).
import { ValidationError, isPlainObject } from '../shared/guard.ts';
import { networkSpec } from '../shared/network-validate.ts';
import { describeValue } from '../shared/json-depth.ts';
import {
  ACTIVATIONS,
  PADDINGS,
  type Activation,
  type LayerSpec,
  type NetworkSpec,
  type Padding,
} from '../shared/network.ts';
import { ModelFileError } from './model-files.ts';

type Config = Record<string, unknown>;

/** The network spec of a Sequential tfjs/Keras topology; throws a ModelFileError naming the layer. */
export function specFromTopology(topology: Record<string, unknown>, file: string): NetworkSpec {
  const cls = topology['class_name'];
  const config = topology['config'];
  const layers = isPlainObject(config) ? config['layers'] : Array.isArray(config) ? config : null;
  if (cls !== 'Sequential' || !Array.isArray(layers))
    throw new ModelFileError(
      'unsupported',
      `the model is a ${describeValue(cls)}; CNN Studio reads Sequential models (one layer after another)`,
      file,
    );
  const out: LayerSpec[] = [];
  layers.forEach((raw, i) => {
    const c: Config = isPlainObject(raw) && isPlainObject(raw['config']) ? raw['config'] : {};
    const kind = isPlainObject(raw) ? raw['class_name'] : undefined;
    const name = typeof c['name'] === 'string' ? `"${c['name'].slice(0, 60)}"` : `${i + 1}`;
    const refuse = (why: string): never => {
      throw new ModelFileError(
        'unsupported',
        `layer ${name} (${describeValue(kind)}) ${why}`,
        file,
      );
    };
    const layer = layerOf(kind, c, refuse);
    if (layer !== null) out.push(layer);
  });
  return { layers: out };
}

/** The topology's spec, checked as a training request's network is (ranges, shapes, size). */
export function networkOf(topology: Record<string, unknown>, file: string): NetworkSpec {
  const spec = specFromTopology(topology, file);
  try {
    return networkSpec()(spec, '');
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ModelFileError('unsupported', `its network cannot be built here: ${e.problem}`, file);
  }
}

function layerOf(kind: unknown, c: Config, refuse: (why: string) => never): LayerSpec | null {
  switch (kind) {
    case 'InputLayer':
      return null;
    case 'Conv2D':
      if (c['use_bias'] === false) refuse('has no bias, which the editor cannot express');
      if (!ones(c['dilation_rate'])) refuse('is dilated, which the editor cannot express');
      if (c['data_format'] !== undefined && c['data_format'] !== 'channels_last')
        refuse('is channels-first; CNN Studio uses channels-last (NHWC)');
      return {
        kind: 'conv',
        filters: whole(c['filters'], 'filters', refuse),
        kernel: square(c['kernel_size'], 'kernel', refuse),
        stride: square(c['strides'], 'stride', refuse),
        padding: padding(c['padding'], refuse),
        activation: activation(c['activation'], refuse),
      };
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const size = square(c['pool_size'], 'pool size', refuse);
      return {
        kind: kind === 'MaxPooling2D' ? 'maxpool' : 'avgpool',
        size,
        stride: c['strides'] === null ? size : square(c['strides'], 'stride', refuse),
        padding: padding(c['padding'], refuse),
      };
    }
    case 'Flatten':
      return { kind: 'flatten' };
    case 'Dense':
      if (c['use_bias'] === false) refuse('has no bias, which the editor cannot express');
      return {
        kind: 'dense',
        units: whole(c['units'], 'units', refuse),
        activation: activation(c['activation'], refuse),
      };
    case 'Dropout': {
      const rate = c['rate'];
      if (typeof rate !== 'number') return refuse('has no dropout rate');
      return { kind: 'dropout', rate };
    }
    default:
      return refuse(
        'is a kind of layer CNN Studio cannot build (it builds Conv2D, MaxPooling2D, AveragePooling2D, Flatten, Dense and Dropout)',
      );
  }
}

const ones = (v: unknown): boolean =>
  v === undefined || v === 1 || (Array.isArray(v) && v.every((x) => x === 1));

function whole(v: unknown, what: string, refuse: (why: string) => never): number {
  return typeof v === 'number' && Number.isInteger(v)
    ? v
    : refuse(`has no whole number of ${what}`);
}

function square(v: unknown, what: string, refuse: (why: string) => never): number {
  if (typeof v === 'number') return whole(v, what, refuse);
  if (Array.isArray(v) && v.length === 2 && v[0] === v[1]) return whole(v[0], what, refuse);
  const shown = Array.isArray(v) ? v.map(String).join('×') : describeValue(v);
  return refuse(`has a ${what} of ${shown}; the editor's are square`);
}

function padding(v: unknown, refuse: (why: string) => never): Padding {
  return (PADDINGS as readonly unknown[]).includes(v)
    ? (v as Padding)
    : refuse(`has padding ${describeValue(v)}; use same or valid`);
}

function activation(v: unknown, refuse: (why: string) => never): Activation {
  const a = v ?? 'linear';
  return (ACTIVATIONS as readonly unknown[]).includes(a)
    ? (a as Activation)
    : refuse(`uses the activation ${describeValue(a)}; the editor has ${ACTIVATIONS.join(', ')}`);
}
