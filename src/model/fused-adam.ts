// Adam as tfjs's AdamOptimizer computes it, but each weight's update as one kernel where the
// backend has one (ADAM_STEP: ours for wasm, src/engine/kernels/adam.ts) instead of ~13 separate
// element-wise passes. Same state (its moments and β powers are the same variables, so
// getWeights/setWeights, checkpoints and the class name 'Adam' are unchanged) and the same float32
// operations in the same order, except that subnormal moments are stored as zero, as native
// TensorFlow flushes them (src/engine/kernels/wasm/adam.c says why); elsewhere (tfjs-node, cpu) it is tfjs's
// own Adam.
import * as tf from '@tensorflow/tfjs';

/**
 * The fused step's kernel name. Inputs: value, m, v, gradient (all one shape), accBeta1, accBeta2
 * (scalars: β1ᵗ and β2ᵗ). Attrs: beta1, beta2, learningRate, epsilon. Outputs: value, m, v.
 */
export const ADAM_STEP = 'CnnStudioAdamStep';

export interface AdamStepAttrs {
  beta1: number;
  beta2: number;
  learningRate: number;
  epsilon: number;
}

/** AdamOptimizer's private state, which this subclass updates as its own applyGradients does. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Gradients): void {
    if (tf.getKernel(ADAM_STEP, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const slot = (name: string, suffix: string, value: tf.Variable) => ({
      originalName: `${name}/${suffix}`,
      variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
    });
    const attrs: AdamStepAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      learningRate: this.learningRate,
      epsilon: this.epsilon,
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        state.accumulatedFirstMoment[i] ??= slot(name, 'm', value);
        state.accumulatedSecondMoment[i] ??= slot(name, 'v', value);
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i]!.tensor
          : variableGradients[name];
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i].variable;
        const v = state.accumulatedSecondMoment[i].variable;
        const inputs = {
          value,
          m,
          v,
          gradient,
          accBeta1: state.accBeta1,
          accBeta2: state.accBeta2,
        };
        const [value2, m2, v2] = tf
          .engine()
          .runKernel(ADAM_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2!);
        v.assign(v2!);
        value.assign(value2!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
