// A tfjs layers model trained elsewhere (tfjs-examples' MNIST scripts, Keras through
// tensorflowjs_converter) made into one CNN Studio can use, changing only what does not change
// its predictions, and saying what changed:
//   - the output's softmax (a Dense layer's activation, or a trailing Softmax/Activation layer)
//     is left to the app, which applies it to the logits, so the last layer gives logits;
//   - an Activation layer right after a convolution or dense layer without one is merged into it.
// Anything else the editor cannot express is refused later, by name (./topology-spec.ts).
import { isPlainObject } from '../shared/guard.ts';
import { ACTIVATIONS } from '../shared/network.ts';

type Layer = { class_name?: unknown; config?: Record<string, unknown> };

export interface Adopted {
  topology: Record<string, unknown>;
  /** Each change in a sentence; empty when the model was usable as it was. */
  changes: string[];
}

const nameOf = (l: Layer): string =>
  typeof l.config?.['name'] === 'string' ? `"${l.config['name'].slice(0, 60)}"` : 'a layer';

const activationOf = (l: Layer): unknown =>
  l.class_name === 'Softmax'
    ? 'softmax'
    : l.class_name === 'Activation'
      ? l.config?.['activation']
      : undefined;

const linear = (v: unknown): boolean => v === undefined || v === null || v === 'linear';

/** The topology with the changes above applied (a copy), and the changes in words. */
export function adoptTopology(topology: Record<string, unknown>): Adopted {
  const copy = structuredClone(topology);
  const config = copy['config'];
  const layers: unknown = isPlainObject(config) ? config['layers'] : config;
  if (!Array.isArray(layers) || !layers.every(isPlainObject))
    return { topology: copy, changes: [] };
  const list = layers as Layer[];
  const changes: string[] = [];

  // The output's softmax, as a layer of its own.
  const last = list.at(-1);
  if (last && activationOf(last) === 'softmax') {
    list.pop();
    changes.push(
      `its last layer ${nameOf(last)} (softmax) was removed: CNN Studio applies softmax to the logits itself, so predictions are unchanged`,
    );
  }
  // The output's softmax, as the output layer's activation.
  const output = list.at(-1);
  if (output?.class_name === 'Dense' && output.config?.['activation'] === 'softmax') {
    output.config['activation'] = 'linear';
    changes.push(
      `its output layer ${nameOf(output)} now gives logits: CNN Studio applies the softmax that was its activation, so predictions are unchanged`,
    );
  }
  // Activation layers that can be their predecessor's activation.
  for (let i = 1; i < list.length; i++) {
    const act = activationOf(list[i]!);
    const before = list[i - 1]!;
    const weighted = before.class_name === 'Conv2D' || before.class_name === 'Dense';
    if (
      list[i]!.class_name !== 'Activation' ||
      !weighted ||
      !linear(before.config?.['activation']) ||
      !(ACTIVATIONS as readonly unknown[]).includes(act)
    )
      continue;
    before.config = { ...before.config, activation: act };
    changes.push(
      `layer ${nameOf(list[i]!)} (${String(act)}) became the activation of ${nameOf(before)}`,
    );
    list.splice(i--, 1);
  }
  return { topology: copy, changes };
}
