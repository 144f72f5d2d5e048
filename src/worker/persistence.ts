// The worker's side of models that last: loading a saved model, recording a run so every epoch
// can be checkpointed, and reading a checkpoint back to resume. TrainingSession calls these;
// errors come out as EnvelopeErrors carrying the envelope the user sees.
import type * as tf from '@tensorflow/tfjs';
import { basename, join } from 'node:path';
import { networkOf } from '../library/topology-spec.ts';
import { adoptTopology } from '../library/foreign-model.ts';
import { readModelFolder } from '../library/model-folder.ts';
import {
  readCheckpoint,
  type BatchRecord,
  type Checkpoint,
  type CheckpointMeta,
  type EpochRecord,
} from '../library/checkpoint-files.ts';
import { libraryError, storageError } from '../library/errors.ts';
import { MODEL_JSON, ModelFileError, metaOf } from '../library/model-files.ts';
import { buildFromFiles, disposeModel, loadModelFolder } from '../model/load.ts';
import type { TrainConfig } from '../shared/config.ts';
import { BUNDLED, sameDataset, type DatasetInfo } from '../shared/dataset.ts';
import { EnvelopeError, envelope, errorText, type ErrorEnvelope } from '../shared/errors.ts';
import type { TrainingEvent } from '../shared/events.ts';
import { trainConfig } from '../shared/validate.ts';
import { restoreFromCheckpoint, writeCheckpoint } from '../training/checkpoint.ts';
import { saveModelAtomic } from '../model/store.ts';
import { checkpointInfoOf } from '../library/checkpoint-files.ts';

const badModel = (e: unknown, doing: string): unknown =>
  e instanceof ModelFileError
    ? new EnvelopeError(envelope('BAD_MODEL', `Cannot ${doing}: ${e.problem}.`, e.file))
    : e;

export interface Trained {
  config: TrainConfig | null;
  epochs: number;
  testAccuracy: number | null;
  /** The data it learnt from (null: the bundled MNIST). */
  dataset: { name: string; classNames: string[] } | null;
}

/** Saves `model` atomically into `dir` with what it has been through; a failure says what is kept. */
export async function saveForSession(
  model: tf.LayersModel,
  dir: string,
  trained: Trained | null,
  engine: string,
): Promise<{ dir: string; bytes: number }> {
  const { config, epochs, testAccuracy, dataset } = trained ?? {
    config: null,
    epochs: 0,
    testAccuracy: null,
    dataset: null,
  };
  try {
    return await saveModelAtomic(model, dir, {
      name: basename(dir),
      createdAt: new Date().toISOString(),
      engine,
      config: { ...config },
      epochsTrained: epochs,
      testAccuracy,
      ...(dataset && { dataset }),
    });
  } catch (e) {
    throw new EnvelopeError(
      storageError(e, `save the model "${basename(dir)}"`, 'Any earlier copy is unchanged.'),
    );
  }
}

/** Builds the model in `dir` exactly as loading would, then frees it: import's proof. */
export async function checkModelFolder(dir: string): Promise<null> {
  try {
    // As the library will keep it: adopted (a foreign model's softmax left to the app).
    const read = await readModelFolder(dir);
    const files = { ...read, modelTopology: adoptTopology(read.modelTopology).topology };
    networkOf(files.modelTopology, join(dir, MODEL_JSON));
    disposeModel(await buildFromFiles(files, dir));
  } catch (e) {
    throw badModel(e, 'import the model');
  }
  return null;
}

/**
 * Reads, checks and builds the model in `dir` into a new model; nothing of the current one is
 * touched, so a failure leaves it as it was.
 */
export async function loadForSession(
  dir: string,
  /** The data now: a model that learnt other classes is refused (its outputs mean those). */
  now: DatasetInfo,
): Promise<{ model: tf.LayersModel; trained: Trained }> {
  let loaded;
  let network;
  try {
    loaded = await loadModelFolder(dir);
    try {
      network = networkOf(loaded.files.modelTopology, join(dir, MODEL_JSON));
    } catch (e) {
      disposeModel(loaded.model);
      throw e;
    }
  } catch (e) {
    throw badModel(e, `load "${basename(dir)}"`);
  }
  const meta = metaOf(loaded.files.meta);
  let config: TrainConfig | null = null;
  try {
    // The network is the topology's, whatever the metadata claims.
    config = meta.config === null ? null : { ...trainConfig(meta.config, 'config'), network };
  } catch {
    config = null;
  }
  const learnt = meta.dataset ?? BUNDLED;
  if (!sameDataset(learnt, now)) {
    disposeModel(loaded.model);
    throw new EnvelopeError(
      envelope(
        'BAD_REQUEST',
        `"${basename(dir)}" was trained on ${learnt.name}, but the data now is ${now.name}: choose ${learnt.name} as the data first.`,
      ),
    );
  }
  return {
    model: loaded.model,
    trained: {
      config,
      epochs: meta.epochsTrained ?? 0,
      testAccuracy: meta.testAccuracy,
      dataset: meta.dataset,
    },
  };
}

/** The checkpoint in `dir`, checked and ready to resume with data of `batchesPerEpoch` batches. */
export async function resumable(
  dir: string,
  batchesPerEpoch: (config: TrainConfig) => number,
): Promise<{ checkpoint: Checkpoint; model: tf.LayersModel }> {
  let cp: Checkpoint | null;
  try {
    cp = await readCheckpoint(dir);
  } catch (e) {
    throw badModel(e, 'resume from the checkpoint');
  }
  if (cp === null) throw libraryError('NOT_FOUND', 'There is no checkpoint to resume from.');
  const { config, epochsCompleted, optimizer } = cp.meta;
  if (epochsCompleted >= config.epochs)
    throw libraryError(
      'BAD_REQUEST',
      `The last run already completed all ${config.epochs} epochs; there is nothing to resume.`,
    );
  const steps = epochsCompleted * batchesPerEpoch(config);
  if (optimizer.iterations !== steps)
    throw libraryError(
      'BAD_MODEL',
      `Cannot resume from the checkpoint: ${optimizer.className} took ${optimizer.iterations} steps, but ${epochsCompleted} epochs of this dataset are ${steps} batches. Was it made with other data?`,
      dir,
    );
  try {
    return { checkpoint: cp, model: await restoreFromCheckpoint(cp, dir) };
  } catch (e) {
    throw badModel(e, 'resume from the checkpoint');
  }
}

type Event<T extends TrainingEvent['type']> = Extract<TrainingEvent, { type: T }>;

/**
 * Keeps what a checkpoint records about the run: every epoch's results and batch losses (from a
 * resumed checkpoint's history onwards), and writes the checkpoint after each epoch.
 */
export class RunRecorder {
  private readonly epochs: EpochRecord[];
  private readonly batches: BatchRecord[];

  constructor(private readonly resumed: CheckpointMeta | null) {
    this.epochs = resumed ? resumed.history.epochs.map((e) => ({ ...e })) : [];
    this.batches = resumed
      ? resumed.history.batches.map((b) => ({
          ...b,
          losses: [...b.losses],
          accuracies: [...b.accuracies],
        }))
      : [];
  }

  /** Call with every event of this run, in order. */
  observe(e: TrainingEvent): void {
    if (e.type === 'batch') {
      let record = this.batches.find((b) => b.epoch === e.epoch);
      if (!record) this.batches.push((record = { epoch: e.epoch, losses: [], accuracies: [] }));
      record.losses.length = e.firstBatch - 1; // a repeat overwrites, a gap stays a gap
      record.losses.push(...e.losses);
      record.accuracies.length = e.firstBatch - 1;
      record.accuracies.push(...e.accuracies);
    } else if (e.type === 'epoch-end') {
      const { epoch, trainLoss, trainAccuracy, testLoss, testAccuracy, elapsedSec } = e;
      const i = this.epochs.findIndex((r) => r.epoch === epoch);
      const record = { epoch, trainLoss, trainAccuracy, testLoss, testAccuracy, elapsedSec };
      if (i >= 0) this.epochs[i] = record;
      else this.epochs.push(record);
    }
  }

  /** Events that redraw the resumed epochs under the new run's id, sent after run-started. */
  replay(runId: string, batchesPerEpoch: number): TrainingEvent[] {
    if (!this.resumed) return [];
    const out: TrainingEvent[] = [];
    for (const e of this.resumed.history.epochs) {
      const b = this.resumed.history.batches.find((r) => r.epoch === e.epoch);
      if (b && b.losses.length > 0 && b.losses.length <= batchesPerEpoch) {
        const batch: Event<'batch'> = {
          type: 'batch',
          runId,
          epoch: e.epoch,
          firstBatch: 1,
          batchesPerEpoch,
          losses: b.losses,
          accuracies: b.accuracies,
          imagesPerSec: 0,
          elapsedSec: e.elapsedSec,
          etaSec: 0,
        };
        out.push(batch);
      }
      out.push({ type: 'epoch-end', runId, ...e });
    }
    return out;
  }

  /**
   * Writes the checkpoint for `epoch` and returns the event reporting it. A failure (a full disk)
   * is reported, not thrown: the run goes on, and the previous checkpoint stays intact.
   */
  async checkpoint(
    dir: string,
    model: tf.LayersModel,
    run: {
      runId: string;
      engine: string;
      config: TrainConfig;
      epoch: number;
      activeSeconds: number;
    },
  ): Promise<Event<'checkpoint'>> {
    const { runId, epoch } = run;
    try {
      const { meta } = await writeCheckpoint(dir, model, {
        runId,
        engine: run.engine,
        config: run.config,
        epochsCompleted: epoch,
        activeSeconds: run.activeSeconds,
        history: {
          epochs: this.epochs.filter((e) => e.epoch <= epoch),
          batches: this.batches.filter((b) => b.epoch <= epoch),
        },
      });
      return { type: 'checkpoint', runId, epoch, error: null, info: checkpointInfoOf(meta) };
    } catch (e) {
      return {
        type: 'checkpoint',
        runId,
        epoch,
        error: storageError(
          e,
          `save the checkpoint after epoch ${epoch}`,
          'Training goes on; the previous checkpoint is unchanged.',
        ),
        info: null,
      };
    }
  }
}

/** An error the worker did not expect, as an envelope (the stack's head as detail). */
export function internal(e: unknown): ErrorEnvelope {
  if (e instanceof EnvelopeError) return e.envelope;
  return envelope(
    'INTERNAL',
    `Training failed: ${errorText(e)}`,
    e instanceof Error ? e.stack?.split('\n').slice(0, 6).join('\n') : undefined,
  );
}
