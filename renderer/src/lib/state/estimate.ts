// How long a run will take, said before Train is pressed: from the speed the engine measured at
// start-up on the tutorial network, scaled by the network's computation (FLOPs), or better, from
// the speed of the last run of the same network and batch size on this engine.
import type { TrainConfig } from '$shared/config.ts';
import { DATASET } from '$shared/dataset.ts';
import type { EngineInfo } from '$shared/events.ts';
import { sameNetwork, tutorialNetwork, type NetworkSpec } from '$shared/network.ts';
import { checkNetwork } from '$shared/network-shapes.ts';

/** A run small enough to see the whole cycle in about a minute: one epoch on 6 000 images. */
export const QUICK_RUN: Readonly<Pick<TrainConfig, 'epochs' | 'trainLimit'>> = Object.freeze({
  epochs: 1,
  trainLimit: 6_000,
});

/** Training images per second seen in a run, with the settings it was seen at. */
export interface ObservedSpeed {
  engine: string;
  batchSize: number;
  network: NetworkSpec;
  imagesPerSec: number;
}

const flopsOf = (n: NetworkSpec): number | null => {
  const c = checkNetwork(n, DATASET);
  return c.ok ? c.summary.flops : null;
};
const TUTORIAL_FLOPS = flopsOf(tutorialNetwork(DATASET.classNames.length))!;
/** A small network is not faster without end: per-batch overheads cap the gain. */
const MAX_SPEEDUP = 20;

/** How much faster than the tutorial network `n` trains, by its computation. */
export function speedFactor(n: NetworkSpec): number {
  const flops = flopsOf(n);
  return flops === null || flops <= 0 ? 1 : Math.min(MAX_SPEEDUP, TUTORIAL_FLOPS / flops);
}

/** Seconds for the whole run (training and each epoch's test pass), or null when unknown. */
export function estimateSeconds(
  config: TrainConfig,
  engine: EngineInfo | null,
  observed: ObservedSpeed | null = null,
): number | null {
  const speed = engine?.speed;
  if (!engine || !speed) return null;
  const seen =
    observed !== null &&
    observed.engine === engine.name &&
    observed.batchSize === config.batchSize &&
    sameNetwork(observed.network, config.network) &&
    observed.imagesPerSec > 0
      ? observed.imagesPerSec
      : null;
  const factor = speedFactor(config.network);
  const train = seen ?? speed.trainImagesPerSec * factor;
  const test = speed.testImagesPerSec * factor;
  if (!(train > 0) || !(test > 0)) return null;
  return (config.epochs * config.trainLimit) / train + (config.epochs * config.testLimit) / test;
}

/** "about 40 s", "about 3 min", "about 1 h 20 min": an estimate, so rounded like one. */
export function roughDuration(seconds: number): string {
  if (seconds < 55) return `about ${Math.max(5, Math.round(seconds / 5) * 5)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = Math.round((minutes % 60) / 5) * 5;
  return m === 0 || m === 60 ? `about ${h + (m === 60 ? 1 : 0)} h` : `about ${h} h ${m} min`;
}

/** The sentence beside Train. */
export function estimateText(
  config: TrainConfig | null,
  engine: EngineInfo | null,
  observed: ObservedSpeed | null = null,
): string {
  if (config === null) return '';
  if (engine === null) return 'The time estimate follows once the engine has started.';
  const seconds = estimateSeconds(config, engine, observed);
  if (seconds === null)
    return engine.name === 'cpu'
      ? 'The pure JavaScript engine is very slow: even a small run takes many minutes.'
      : 'Measuring how fast this computer trains…';
  return `This run: ${roughDuration(seconds)} here.`;
}
