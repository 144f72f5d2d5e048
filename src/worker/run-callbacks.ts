// The trainer's callbacks for one run of the session: progress events (ProgressReporter), and
// after each epoch a fine-tune run's test on the held-out drawings, then the checkpoint (with the
// optimizer's state, src/training/checkpoint.ts) where the session keeps them.
import type * as tf from '@tensorflow/tfjs';
import type { MnistSplit } from '../data/mnist.ts';
import type { TrainConfig } from '../shared/config.ts';
import type { DatasetInfo } from '../shared/dataset.ts';
import type { EngineInfo, TrainingEvent } from '../shared/events.ts';
import type { FinetuneStart } from '../shared/finetune.ts';
import { evaluate } from '../training/evaluate.ts';
import { ProgressReporter } from '../training/progress.ts';
import type { TrainStart, TrainerCallbacks } from '../training/trainer.ts';
import type { RunRecorder } from './persistence.ts';

export interface RunWiring {
  id: string;
  config: TrainConfig;
  engine: EngineInfo;
  model: tf.LayersModel;
  start: TrainStart;
  /** The run's own events (recorded with it). */
  emit: (event: TrainingEvent) => void;
  /** Events about the run that are not part of its history (the checkpoint written). */
  record: (event: TrainingEvent) => void;
  recorder: RunRecorder;
  dataset?: DatasetInfo;
  /** Where a checkpoint goes after every epoch; null: none. */
  checkpointDir: string | null;
  /** A fine-tune on "My handwriting": what run-started says, and the drawings held out. */
  finetune?: { start: FinetuneStart; heldOut: MnistSplit } | undefined;
}

export function runCallbacks(w: RunWiring): TrainerCallbacks {
  const { id, config, engine, model, finetune } = w;
  const reporter = new ProgressReporter({
    runId: id,
    config,
    engine,
    model,
    emit: w.emit,
    start: w.start,
    ...(w.dataset && { dataset: w.dataset }),
    ...(finetune && { finetune: finetune.start }),
  });
  return {
    onTrainBegin: (info) => reporter.onTrainBegin(info),
    onBatchEnd: (epoch, batch, logs) => reporter.onBatchEnd(epoch, batch, logs),
    onTestProgress: (epoch, done, total, seconds) =>
      reporter.onTestProgress(epoch, done, total, seconds),
    onEpochEnd: async (epoch, logs) => {
      await reporter.onEpochEnd(epoch, logs);
      if (finetune) {
        const { accuracy } = await evaluate(model, finetune.heldOut);
        const count = finetune.heldOut.count;
        w.emit({
          type: 'handwriting-accuracy',
          runId: id,
          epoch,
          correct: Math.round(accuracy * count),
          count,
        });
      }
      if (w.checkpointDir === null) return;
      const run = {
        runId: id,
        engine: engine.name,
        config,
        epoch,
        activeSeconds: logs.activeSeconds,
      };
      w.record(await w.recorder.checkpoint(w.checkpointDir, model, run));
    },
  };
}
