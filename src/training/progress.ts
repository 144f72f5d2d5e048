// Turns trainer callbacks into TrainingEvents: batch events throttled to ~8 per second but carrying
// every batch's loss, speed and ETA over a sliding window, and kernel snapshots a few times an epoch.
import type * as tf from '@tensorflow/tfjs';
import { readFilterWeights } from '../model/filter-weights.ts';
import type { DatasetInfo } from '../shared/dataset.ts';
import type { TrainConfig } from '../shared/config.ts';
import type { EngineInfo, TrainingEvent } from '../shared/events.ts';
import type { FinetuneStart } from '../shared/finetune.ts';
import type { BatchLogs, EpochLogs, TrainBegin, TrainerCallbacks, TrainStart } from './trainer.ts';

export interface ReporterOptions {
  runId: string;
  config: TrainConfig;
  engine: EngineInfo;
  /** What the run trains on (absent: the bundled MNIST, as in tests that read no folder). */
  dataset?: DatasetInfo;
  model: tf.LayersModel;
  emit: (event: TrainingEvent) => void;
  /** Minimum time between batch events. */
  intervalMs?: number;
  snapshotsPerEpoch?: number;
  /** Where a resumed run starts: its clock and its first snapshot continue from there. */
  start?: TrainStart;
  /** A fine-tune on "My handwriting": said in run-started. */
  finetune?: FinetuneStart;
}

const WINDOW = 20; // batches in the speed estimate

export class ProgressReporter implements TrainerCallbacks {
  private batchesPerEpoch = 1;
  private lastEmit = -Infinity;
  private pending: {
    epoch: number;
    firstBatch: number;
    losses: number[];
    accuracies: number[];
  } | null = null;
  private readonly recent: BatchLogs[] = [];
  private active: number;
  private epoch = 1;
  private batch = 0;

  constructor(private readonly o: ReporterOptions) {
    this.active = o.start?.activeSeconds ?? 0;
  }

  async onTrainBegin(info: TrainBegin): Promise<void> {
    this.batchesPerEpoch = info.batchesPerEpoch;
    const { runId, config, engine, dataset, finetune } = this.o;
    this.o.emit({
      type: 'run-started',
      runId,
      config,
      engine,
      ...info,
      ...(dataset !== undefined && { dataset }),
      ...(finetune !== undefined && { finetune }),
    });
    // A resumed run starts from the weights after its last completed epoch, not random ones.
    const done = (this.o.start?.fromEpoch ?? 1) - 1;
    await this.snapshot(done, done > 0 ? info.batchesPerEpoch : 0);
  }

  async onBatchEnd(epoch: number, batch: number, logs: BatchLogs): Promise<void> {
    this.epoch = epoch;
    this.batch = batch;
    this.active += logs.seconds;
    this.recent.push(logs);
    if (this.recent.length > WINDOW) this.recent.shift();
    if (!this.pending || this.pending.epoch !== epoch) {
      this.flush();
      this.pending = { epoch, firstBatch: batch, losses: [], accuracies: [] };
    }
    this.pending.losses.push(logs.loss);
    this.pending.accuracies.push(logs.accuracy);
    if (performance.now() - this.lastEmit >= (this.o.intervalMs ?? 125)) this.flush();
    const every = Math.max(1, Math.floor(this.batchesPerEpoch / (this.o.snapshotsPerEpoch ?? 4)));
    if (batch % every === 0 && batch < this.batchesPerEpoch) await this.snapshot(epoch, batch);
  }

  /** The test set is being evaluated: its own phase, with progress and a running clock. */
  onTestProgress(epoch: number, done: number, total: number, activeSeconds: number): void {
    this.flush();
    this.active = activeSeconds;
    this.o.emit({
      type: 'testing',
      runId: this.o.runId,
      epoch,
      done,
      total,
      elapsedSec: activeSeconds,
    });
  }

  async onEpochEnd(epoch: number, logs: EpochLogs): Promise<void> {
    this.flush();
    this.active = logs.activeSeconds;
    this.o.emit({
      type: 'epoch-end',
      runId: this.o.runId,
      epoch,
      trainLoss: logs.trainLoss,
      trainAccuracy: logs.trainAccuracy,
      testLoss: logs.test.loss,
      testAccuracy: logs.test.accuracy,
      elapsedSec: logs.activeSeconds,
    });
    const confusion = logs.test.confusion;
    if (confusion) this.o.emit({ type: 'evaluation', runId: this.o.runId, epoch, ...confusion });
    await this.snapshot(epoch, this.batchesPerEpoch);
  }

  /** Sends the batches gathered since the last event. */
  flush(): void {
    const p = this.pending;
    if (!p || p.losses.length === 0) return;
    this.pending = null;
    this.lastEmit = performance.now();
    const seconds = this.recent.reduce((s, b) => s + b.seconds, 0);
    const images = this.recent.reduce((s, b) => s + b.size, 0);
    const remaining =
      (this.o.config.epochs - this.epoch) * this.batchesPerEpoch +
      (this.batchesPerEpoch - this.batch);
    this.o.emit({
      type: 'batch',
      runId: this.o.runId,
      epoch: p.epoch,
      firstBatch: p.firstBatch,
      batchesPerEpoch: this.batchesPerEpoch,
      losses: p.losses,
      accuracies: p.accuracies,
      imagesPerSec: seconds > 0 ? images / seconds : 0,
      elapsedSec: this.active,
      etaSec: this.recent.length > 0 ? (remaining * seconds) / this.recent.length : 0,
    });
  }

  private async snapshot(epoch: number, batch: number): Promise<void> {
    const kernels = await readFilterWeights(this.o.model);
    this.o.emit({ type: 'filters', runId: this.o.runId, epoch, batch, kernels });
  }
}
