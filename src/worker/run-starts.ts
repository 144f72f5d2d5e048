// The three ways a run of the session starts, each as a builder the session runs once the data
// is loaded (TrainingSession.startWith): a fresh network from its spec (Train), the checkpointed
// run continued after its last completed epoch (resume), and a copy of the current model trained
// further on "My handwriting" (fine-tune). Each returns the model and what it trains on.
import type * as tf from '@tensorflow/tfjs';
import type { MnistData, MnistSplit } from '../data/mnist.ts';
import type { CheckpointMeta } from '../library/checkpoint-files.ts';
import { buildNetwork, compileModel } from '../model/cnn.ts';
import type { TrainConfig } from '../shared/config.ts';
import type { DatasetInfo } from '../shared/dataset.ts';
import type { FinetuneArg, FinetuneStart } from '../shared/finetune.ts';
import { prepareFinetune } from './finetune.ts';
import type { Handwriting } from './handwriting.ts';
import { networkOfModel } from './inside.ts';
import { resumable, type Trained } from './persistence.ts';

/** A model ready to train and what it trains on; `resumed` and `finetune` as `launch` says. */
export interface Launch {
  model: tf.LayersModel;
  config: TrainConfig;
  data: MnistData;
  resumed?: CheckpointMeta;
  finetune?: { start: FinetuneStart; heldOut: MnistSplit };
}

export type LaunchBuilder = (data: MnistData) => Launch | Promise<Launch>;

/** Train: a new network from the spec, seeded. */
export const freshRun =
  (config: TrainConfig): LaunchBuilder =>
  (data) => {
    const model = buildNetwork(config.network, config.seed);
    compileModel(model, config.learningRate, config.optimizer);
    return { model, config, data };
  };

/** Resume: the checkpoint in `dir`, checked against the data's batches per epoch. */
export const resumedRun =
  (dir: string): LaunchBuilder =>
  async (data) => {
    const perEpoch = (c: TrainConfig): number =>
      Math.ceil(Math.min(c.trainLimit, data.train.count) / c.batchSize);
    const { checkpoint, model } = await resumable(dir, perEpoch);
    return { model, config: checkpoint.meta.config, data, resumed: checkpoint.meta };
  };

/** Fine-tune: a copy of `base` (last trained as `trained` says) on the learner's drawings. */
export const finetuneRun =
  (
    base: tf.LayersModel,
    trained: Trained | null,
    handwriting: Handwriting,
    info: DatasetInfo,
    arg: FinetuneArg,
  ): LaunchBuilder =>
  async (data) => {
    const p = await prepareFinetune(
      base,
      networkOfModel(base),
      trained?.config ?? null,
      await handwriting.read(),
      { ...data, info },
      arg,
      (Date.now() % 1_000_000) + 1,
    );
    const finetune = { start: p.start, heldOut: p.heldOut };
    return { model: p.model, config: p.config, data: p.data, finetune };
  };
