// Event builders for the renderer tests: small, valid TrainingEvents.
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import type { AppStatus } from '../../../src/shared/contract.ts';
import type { EngineInfo, TrainingEvent } from '../../../src/shared/events.ts';
import type { ModelInfo } from '../../../src/shared/models.ts';

type Ev<T extends TrainingEvent['type']> = Extract<TrainingEvent, { type: T }>;

export const ENGINE: EngineInfo = {
  name: 'wasm',
  label: 'Portable WebAssembly',
  reason: 'tfjs-node not installed',
  threads: 4,
  available: ['wasm', 'cpu'],
  requested: 'auto',
};

export function started(
  runId: string,
  opts: { epochs?: number; batchesPerEpoch?: number; config?: Partial<TrainConfig> } = {},
): Ev<'run-started'> {
  const batchesPerEpoch = opts.batchesPerEpoch ?? 4;
  const config = { ...DEFAULT_CONFIG, epochs: opts.epochs ?? 2, ...opts.config };
  return {
    type: 'run-started',
    runId,
    config,
    engine: ENGINE,
    trainSize: batchesPerEpoch * config.batchSize,
    testSize: 1000,
    batchesPerEpoch,
  };
}

export function batch(
  runId: string,
  epoch: number,
  firstBatch: number,
  losses: number[],
  opts: { batchesPerEpoch?: number; accuracies?: number[]; etaSec?: number } = {},
): Ev<'batch'> {
  return {
    type: 'batch',
    runId,
    epoch,
    firstBatch,
    batchesPerEpoch: opts.batchesPerEpoch ?? 4,
    losses,
    accuracies: opts.accuracies ?? losses.map((l) => Math.max(0, Math.min(1, 1 - l / 3))),
    imagesPerSec: 500,
    elapsedSec: epoch * 10 + firstBatch,
    etaSec: opts.etaSec ?? 60,
  };
}

export function epochEnd(runId: string, epoch: number, testAccuracy: number): Ev<'epoch-end'> {
  return {
    type: 'epoch-end',
    runId,
    epoch,
    trainLoss: 0.5 / epoch,
    trainAccuracy: testAccuracy - 0.01,
    testLoss: 0.4 / epoch,
    testAccuracy,
    elapsedSec: epoch * 20,
  };
}

/** A whole two-epoch run with a pause, as the worker would report it. */
export function fullRun(runId = 'run-1'): TrainingEvent[] {
  return [
    { type: 'engine', engine: ENGINE },
    started(runId),
    { type: 'filters', runId, epoch: 0, batch: 0, kernels: [] },
    batch(runId, 1, 1, [2.3, 2.1]),
    batch(runId, 1, 3, [1.9, 1.7]),
    epochEnd(runId, 1, 0.9),
    { type: 'paused', runId },
    { type: 'resumed', runId },
    batch(runId, 2, 1, [1.2, 1.0, 0.9]),
    batch(runId, 2, 4, [0.8]),
    epochEnd(runId, 2, 0.95),
    { type: 'finished', runId, epochs: 2, testAccuracy: 0.95, elapsedSec: 40 },
  ];
}

export function status(history: TrainingEvent[], worker?: Partial<AppStatus['worker']>): AppStatus {
  return {
    engine: ENGINE,
    worker: { state: 'idle', runId: null, hasModel: false, ...worker },
    history,
    shown: null,
  };
}

/** A saved model as model:list and model:save describe it. */
export const MODEL_INFO: ModelInfo = {
  name: 'digits',
  createdAt: '2026-11-30T18:00:00.000Z',
  engine: 'wasm',
  config: null,
  epochsTrained: 1,
  testAccuracy: 0.9,
  network: null,
  changes: [],
  bytes: 12_800_000,
  problem: null,
};
