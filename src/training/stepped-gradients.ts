// tf.variableGrads, with pauses for the event loop inside it: after the forward pass, and between
// the backward pass's nodes. A drawing sent mid-step is then answered within one node's gradient,
// not after the whole gradient computation (~95% of a step once Adam is fused; BENCHMARKS.md,
// draw→prediction). The weights do not change until the step's update, so an answer given in a
// pause is the model's as it was before the step, as it is between steps.
//
// It is tfjs-core's own Engine.gradients and backpropagateGradients (tape.ts), in the same order
// with the same kernels, so the gradients are bit for bit tfjs's (stepped-gradients.test). What
// differs: the backward pass runs one tidy per node instead of one around it all, and the tape is
// held here, so a question that takes its own gradients in a pause (saliency) starts a tape of its
// own. Where the engine's internals are not as expected, it is tf.variableGrads with one pause.
import * as tf from '@tensorflow/tfjs';

type NamedTensors = Record<string, tf.Tensor>;

/** A node of tfjs-core's tape (tape.ts `TapeNode`). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: NamedTensors;
  outputs: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

/** What this uses of tfjs-core's Engine beyond its public API. */
interface TapeEngine {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
}

function tapeEngine(): TapeEngine | null {
  const e = tf.engine() as unknown as Partial<TapeEngine>;
  const ok =
    typeof e.startTape === 'function' &&
    typeof e.endTape === 'function' &&
    typeof e.state?.gradientDepth === 'number';
  return ok ? (e as TapeEngine) : null;
}

export interface Gradients {
  value: tf.Scalar;
  /** Keyed by variable name, as tf.variableGrads returns them. */
  grads: NamedTensors;
}

/**
 * The loss `f` and its gradients with respect to `vars`, pausing with `pause` after the forward
 * pass and after each backward node (the last one included). `f` must be synchronous; the caller owns what is returned.
 */
export async function steppedVariableGrads(
  f: () => tf.Scalar,
  vars: tf.Variable[],
  pause: () => Promise<void>,
): Promise<Gradients> {
  const engine = tapeEngine();
  if (!engine || engine.state.gradientDepth !== 0) {
    const whole = tf.variableGrads(f, vars);
    await pause();
    return whole as Gradients;
  }
  const trainable = vars.filter((v) => v.trainable);
  if (trainable.length === 0)
    throw new Error('There are no trainable weights to compute gradients for.');

  engine.startTape();
  let value: tf.Scalar;
  try {
    value = tf.tidy('forward', f);
  } finally {
    engine.endTape();
  }
  const tape = engine.state.activeTape ?? [];
  const accumulated: NamedTensors = {};
  const result = new Set<number>();
  try {
    if (value.rank !== 0) throw new Error(`The loss must be a scalar, not rank ${value.rank}.`);
    const nodes = nodesFromXsToY(tape, trainable, value);
    await pause();
    accumulated[value.id] = tf.ones(value.shape);
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      Object.assign(
        accumulated,
        tf.tidy(() => backpropagate(node, accumulated)),
      );
      await pause();
    }
    const grads: NamedTensors = {};
    for (const v of trainable) if (accumulated[v.id]) grads[v.name] = accumulated[v.id]!;
    if (Object.keys(grads).length === 0) {
      throw new Error('The loss does not depend on any of the weights.');
    }
    for (const v of vars)
      if (!v.trainable) (grads as Record<string, tf.Tensor | null>)[v.name] = null;
    for (const t of Object.values(grads)) if (t) result.add(t.id);
    result.add(value.id);
    return { value, grads };
  } catch (e) {
    value.dispose();
    throw e;
  } finally {
    // What tfjs's backward tidy disposes at its end, and what Engine.gradients frees of the tape.
    for (const t of Object.values(accumulated)) if (!t.kept && !result.has(t.id)) t.dispose();
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    if (engine.state.activeTape === tape) engine.state.activeTape = null;
  }
}

/**
 * One node of tfjs's backpropagateGradients: its inputs' gradients from its outputs', added to
 * what they already have. Returns the entries it set (new tensors, inside the caller's tidy).
 */
function backpropagate(node: TapeNode, accumulated: NamedTensors): NamedTensors {
  const dys = node.outputs.map((o) => accumulated[o.id] ?? null);
  if (!node.gradient) {
    throw new Error(`Cannot compute the gradient: ${node.kernelName} has no gradient function.`);
  }
  const inputGradients = node.gradient(dys);
  const set: NamedTensors = {};
  for (const [name, x] of Object.entries(node.inputs)) {
    const gradient = inputGradients[name];
    if (!gradient)
      throw new Error(`Cannot backpropagate through input ${name} of ${node.kernelName}.`);
    const dx = tf.tidy(gradient);
    if (dx.dtype !== 'float32' || !tf.util.arraysEqual(dx.shape, x.shape)) {
      throw new Error(
        `The gradient of ${node.kernelName}'s input ${name} is ${dx.dtype} [${dx.shape}], not float32 [${x.shape}].`,
      );
    }
    const previous = accumulated[x.id];
    if (previous) {
      set[x.id] = accumulated[x.id] = tf.add(previous, dx);
      previous.dispose();
    } else {
      set[x.id] = accumulated[x.id] = dx;
    }
  }
  return set;
}

/**
 * tfjs-core's getFilteredNodesXToY: the tape's nodes on a path from `xs` to `y`, each with only the
 * inputs that depend on `xs`.
 */
function nodesFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((input) => fromX.has(input.id))) {
      for (const o of node.outputs) fromX.add(o.id);
      nodesFromX.add(node.id);
    }
  }
  const leadsToY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => leadsToY.has(o.id))) {
      for (const input of Object.values(node.inputs)) leadsToY.add(input.id);
      nodesToY.add(node.id);
    }
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => ({
      ...node,
      inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, t]) => fromX.has(t.id))),
    }));
}
