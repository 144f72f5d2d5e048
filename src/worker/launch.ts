// One run of the session, wired and started: what the model has been through (updated after
// every epoch, saved with it), the run's history recorder (replayed when a checkpoint resumes),
// the trainer's callbacks, and the trainer itself. The session keeps the handles it returns.
import type { DatasetInfo } from '../shared/dataset.ts';
import type { EngineInfo, TrainingEvent } from '../shared/events.ts';
import { RunControl } from '../training/control.ts';
import { train, type TrainOutcome } from '../training/trainer.ts';
import { RunRecorder, internal, type Trained } from './persistence.ts';
import { runCallbacks } from './run-callbacks.ts';
import type { Launch } from './run-starts.ts';

export interface LaunchContext {
  id: string;
  engine: EngineInfo;
  /** The data the run learns from (null: not loaded yet; the bundled MNIST then). */
  dataset: DatasetInfo | null;
  /** Where the session keeps checkpoints; null: none (a fine-tune keeps none either). */
  checkpointDir: string | null;
  emit: (event: TrainingEvent) => void;
  /** What the model has been through, at the start and after each epoch. */
  onTrained: (trained: Trained) => void;
  /** The run ended (stopped, finished, diverged); a crash is emitted as `failed` instead. */
  onOutcome: (outcome: TrainOutcome) => void;
}

export interface StartedRun {
  id: string;
  control: RunControl;
  done: Promise<void>;
}

/**
 * Trains `model`: from scratch, from a checkpoint, or further on the learner's drawings
 * (`finetune`: tested on the held-out ones after every epoch; no checkpoints, since a frozen
 * layer's optimizer state would not resume).
 */
export function launchRun(
  ctx: LaunchContext,
  { model, config, data, resumed, finetune }: Launch,
): StartedRun {
  const { id, dataset } = ctx;
  const control = new RunControl();
  const last = resumed?.history.epochs.at(-1);
  const learnt = dataset && { name: dataset.name, classNames: dataset.classNames };
  const trained = (epochs: number, testAccuracy: number | null): Trained => ({
    config,
    epochs,
    testAccuracy,
    dataset: learnt,
  });
  ctx.onTrained(trained(resumed?.epochsCompleted ?? 0, last?.testAccuracy ?? null));
  const recorder = new RunRecorder(resumed ?? null);
  const emit = (event: TrainingEvent): void => {
    if (event.type === 'epoch-end') ctx.onTrained(trained(event.epoch, event.testAccuracy));
    recorder.observe(event);
    ctx.emit(event);
    // A resumed run redraws its earlier epochs right after it starts.
    if (event.type === 'run-started')
      for (const e of recorder.replay(id, event.batchesPerEpoch)) ctx.emit(e);
  };
  const start = resumed
    ? { fromEpoch: resumed.epochsCompleted + 1, activeSeconds: resumed.activeSeconds }
    : {};
  const callbacks = runCallbacks({
    id,
    config,
    engine: ctx.engine,
    model,
    start,
    emit,
    record: ctx.emit,
    recorder,
    dataset: dataset ?? undefined,
    checkpointDir: finetune ? null : ctx.checkpointDir,
    finetune,
  });
  const done = train(model, data, config, control, callbacks, start).then(ctx.onOutcome, (e) =>
    ctx.emit({ type: 'failed', runId: id, error: internal(e) }),
  );
  return { id, control, done };
}
