// One training step, as model.trainOnBatch takes it (the same forward pass, loss, accuracy and
// Adam update, in the same order), with pauses for the event loop inside it: after the forward
// pass, after each node of the backward pass (stepped-gradients.ts), and before the update. A
// drawn digit sent mid-step is then answered within one piece of the step, not after the whole
// step (see BENCHMARKS.md, draw→prediction).
import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from '../model/cnn.ts';
import { steppedVariableGrads } from './stepped-gradients.ts';

export interface StepResult {
  loss: number;
  accuracy: number;
  /** Compute time of the step, without its pauses. */
  seconds: number;
}

const now = (): number => performance.now() / 1000;

export async function trainStep(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
  between: () => Promise<void>,
): Promise<StepResult> {
  const optimizer = model.optimizer;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  let accuracy: tf.Scalar | null = null;
  let seconds = 0;
  let t = now();
  const pause = async (): Promise<void> => {
    seconds += now() - t;
    await between();
    t = now();
  };
  const { value, grads } = await steppedVariableGrads(
    () => {
      const logits = model.apply(x, { training: true }) as tf.Tensor2D;
      accuracy = tf.keep(tf.metrics.categoricalAccuracy(y, logits).mean<tf.Scalar>());
      return softmaxCrossEntropy(y, logits).mean<tf.Scalar>();
    },
    vars,
    pause,
  );
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  const [loss, acc] = await Promise.all([value.data(), accuracy!.data()]);
  tf.dispose([value, accuracy!]);
  return { loss: loss[0]!, accuracy: acc[0]!, seconds: seconds + now() - t };
}
