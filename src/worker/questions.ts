// The questions asked of the current model about one image, answered in the worker: the
// prediction (while drawing), the feature maps, why (saliency and occlusion), every layer's output
// (the Inside view) and one convolution worked through. None of them changes the model, so all
// are allowed while it trains (they run between two batches).
import type * as tf from '@tensorflow/tfjs';
import { EnvelopeError, envelope } from '../shared/errors.ts';
import { assertNever } from '../shared/guard.ts';
import type { WorkerReplies, WorkerRequest } from '../shared/worker-protocol.ts';
import { explain } from './explain.ts';
import { inside, networkOfModel } from './inside.ts';
import { inspect, predict } from './inspect.ts';
import { workedConvolution } from './worked.ts';

export type ImageQuestion = Extract<
  WorkerRequest,
  { type: 'predict' | 'inspect' | 'explain' | 'inside' | 'worked' }
>;

export async function answer(
  model: tf.LayersModel,
  q: ImageQuestion,
): Promise<WorkerReplies[ImageQuestion['type']]> {
  switch (q.type) {
    case 'predict':
      return predict(model, q.pixels);
    case 'inspect':
      return inspect(model, q.pixels);
    case 'explain':
      return explain(model, q.pixels, q.target);
    case 'inside':
      return inside(model, q.pixels);
    case 'worked':
      try {
        return workedConvolution(
          model,
          networkOfModel(model),
          q.pixels,
          q.layer,
          q.y,
          q.x,
          q.filter,
        );
      } catch (e) {
        // A layer that is not a convolution, a pixel outside it: the request's fault, said so.
        if (e instanceof RangeError) throw new EnvelopeError(envelope('BAD_REQUEST', e.message));
        throw e;
      }
    default:
      return assertNever(q);
  }
}
