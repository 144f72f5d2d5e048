// The Inside view's numbers: every layer's output for one image, in one forward pass, with the
// network those layers were built from (read back from the model itself, so the view cannot pair
// one network's activations with another's spec), the logits, and the largest terms of the
// predicted class's logit in the last layer (input × weight). Wide layers send their first
// INSIDE_CHANNELS channels only. The probe shares the model's layers and owns no weights: it is
// kept per model in a WeakMap and never disposed (that would dispose the real model's weights).
import * as tf from '@tensorflow/tfjs';
import { batchShape } from '../shared/dataset.ts';
import type { NetworkSpec } from '../shared/network.ts';
import {
  INSIDE_CHANNELS,
  INSIDE_TERMS,
  type InsideView,
  type LogitTerm,
  type Stage,
} from '../shared/worker-protocol.ts';
import { specFromTopology } from '../library/topology-spec.ts';

interface Probe {
  model: tf.LayersModel;
  network: NetworkSpec;
}

const probes = new WeakMap<tf.LayersModel, Probe>();

/** The network `model` was built from: its own topology, read as a saved model's is. */
export function networkOfModel(model: tf.LayersModel): NetworkSpec {
  return probeOf(model).network;
}

function probeOf(model: tf.LayersModel): Probe {
  let probe = probes.get(model);
  if (!probe) {
    const topology = model.toJSON(null, false) as Record<string, unknown>;
    probe = {
      network: specFromTopology(topology, 'the current model'),
      model: tf.model({
        inputs: model.inputs,
        outputs: model.layers.map((l) => l.output as tf.SymbolicTensor),
        name: `${model.name}_inside`,
      }),
    };
    probes.set(model, probe);
  }
  return probe;
}

/** The first `keep` channels of an [h, w, c] output, channels last. */
function firstChannels(values: Float32Array, shape: number[], keep: number): Float32Array {
  const c = shape[2]!;
  if (c <= keep) return values;
  const pixels = shape[0]! * shape[1]!;
  const out = new Float32Array(pixels * keep);
  for (let p = 0; p < pixels; p++) out.set(values.subarray(p * c, p * c + keep), p * keep);
  return out;
}

/** The `count` terms input[j] × w[j, target] largest in size, largest first. */
export function topTerms(
  input: Float32Array,
  kernel: Float32Array,
  classes: number,
  target: number,
  count: number,
): LogitTerm[] {
  const terms: LogitTerm[] = [];
  for (let j = 0; j < input.length; j++)
    terms.push({ index: j, input: input[j]!, weight: kernel[j * classes + target]! });
  const size = (t: LogitTerm): number => Math.abs(t.input * t.weight);
  return terms.sort((a, b) => size(b) - size(a)).slice(0, count);
}

/** Every layer's output for one 28×28 image (784 values in [0, 1]). */
export async function inside(model: tf.LayersModel, pixels: Float32Array): Promise<InsideView> {
  const probe = probeOf(model);
  const outputs = tf.tidy(() => {
    const out = [probe.model.predict(tf.tensor4d(pixels, batchShape(1)))].flat();
    return [...out, tf.softmax(out.at(-1)!)];
  });
  let values: Float32Array[];
  try {
    values = await Promise.all(outputs.map((t) => t.data<'float32'>()));
  } finally {
    tf.dispose(outputs);
  }
  const probabilities = Array.from(values.pop()!);
  const stages: Stage[] = values.map((v, i) => {
    const shape = (model.layers[i]!.outputShape as number[]).slice(1);
    return { shape, values: shape.length === 3 ? firstChannels(v, shape, INSIDE_CHANNELS) : v };
  });
  const logits = Array.from(values.at(-1)!);
  const target = probabilities.indexOf(Math.max(...probabilities));
  const last = model.layers.at(-1)!;
  const [kernel, bias] = last.getWeights().map((w) => w.dataSync() as Float32Array);
  const input = values.length > 1 ? values.at(-2)! : pixels;
  return {
    probabilities,
    network: probe.network,
    stages,
    logits,
    terms: {
      target,
      bias: bias![target]!,
      top: topTerms(input, kernel!, logits.length, target, INSIDE_TERMS),
    },
  };
}
