// The renderer's picture of the current (or last) run: what the reducer (./reducer.ts) builds
// from TrainingEvents and every panel reads. Plain types and the empty view.
import type { TrainConfig } from '$shared/config.ts';
import type { Shown } from '$shared/contract.ts';
import type { ErrorEnvelope } from '$shared/errors.ts';
import type { DatasetInfo } from '$shared/dataset.ts';
import type {
  EngineInfo,
  KernelSnapshot,
  Misclassified,
  StopReason,
  EpochResult,
} from '$shared/events.ts';
import type { FinetuneStart } from '$shared/finetune.ts';
import { emptySeries, type LossSeries } from './series.ts';

export type RunState = 'idle' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed';

export type { EpochResult };

/** The newest batch-level numbers, from the last batch event. */
export interface LastBatch {
  epoch: number;
  /** 1-based index within the epoch of the newest batch. */
  batch: number;
  loss: number;
  accuracy: number;
  imagesPerSec: number;
  elapsedSec: number;
  etaSec: number;
}

export interface FiltersSnapshot {
  epoch: number;
  batch: number;
  kernels: readonly KernelSnapshot[];
}

/** The latest epoch's test-set breakdown, for the confusion matrix and the mistakes gallery. */
export interface EvaluationView {
  epoch: number;
  count: number;
  /** matrix[label * 10 + predicted]. */
  matrix: readonly number[];
  /** Per cell, test-set indices to show when it is clicked. */
  samples: readonly (readonly number[])[];
  /** Every evaluated index, grouped by cell (null: a run kept before evaluations listed them). */
  cells: readonly number[] | null;
  wrong: readonly Misclassified[];
}

export interface RunView {
  readonly runId: string | null;
  readonly state: RunState;
  readonly engine: EngineInfo | null;
  readonly config: TrainConfig | null;
  readonly trainSize: number;
  readonly testSize: number;
  readonly batchesPerEpoch: number;
  /** Every batch's loss and accuracy, by global batch index. */
  readonly series: LossSeries;
  /** One entry per finished epoch, in epoch order. */
  readonly epochs: readonly EpochResult[];
  readonly last: LastBatch | null;
  /** Latest kernel snapshot, for the filters panel. */
  readonly filters: FiltersSnapshot | null;
  /** Latest confusion matrix and worst mistakes (after each epoch). */
  readonly evaluation: EvaluationView | null;
  readonly elapsedSec: number;
  readonly finalTestAccuracy: number | null;
  readonly stopReason: StopReason | null;
  readonly epochsCompleted: number;
  readonly error: ErrorEnvelope | null;
  /** Said by the host when it resumed this run by itself (a stuck worker was replaced). */
  readonly notice: string | null;
  /** The test pass in progress after an epoch, until that epoch's result arrives. */
  readonly testing: {
    readonly epoch: number;
    readonly done: number;
    readonly total: number;
  } | null;
  /** The host holds a model (trained here or loaded): there is something to save or predict with. */
  readonly hasModel: boolean;
  /** The run is in the runs folder (run-kept), or why it could not be written there. */
  readonly kept: boolean;
  readonly keepError: ErrorEnvelope | null;
  /** Opened from the run list or loaded as a saved model (not trained in this session), or null. */
  readonly shown: Shown | null;
  /** What this run trained on; null: the bundled MNIST (or no run). */
  readonly runDataset: DatasetInfo | null;
  /** A fine-tune on "My handwriting": its start and the held-out drawings after each epoch. */
  readonly finetune: FinetuneView | null;
}

export interface FinetuneView extends FinetuneStart {
  /** Held-out drawings right after each epoch, in epoch order. */
  readonly handwriting: readonly { epoch: number; correct: number; count: number }[];
}

export function initialView(engine: EngineInfo | null = null): RunView {
  return {
    runId: null,
    state: 'idle',
    engine,
    config: null,
    trainSize: 0,
    testSize: 0,
    batchesPerEpoch: 0,
    series: emptySeries(),
    epochs: [],
    last: null,
    filters: null,
    evaluation: null,
    elapsedSec: 0,
    finalTestAccuracy: null,
    stopReason: null,
    epochsCompleted: 0,
    error: null,
    notice: null,
    testing: null,
    hasModel: false,
    kept: false,
    keepError: null,
    shown: null,
    runDataset: null,
    finetune: null,
  };
}
