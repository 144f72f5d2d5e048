// Training settings for the specs. Tiny on purpose: the suite runs beside other work on 2 cores.
// Every run gets its own seed, so a page can tell this test's run from the one before it (the
// host keeps the last run's history, and a new view replays it).
import { randomInt } from 'node:crypto';
import type { Settings } from '../pages/studio-page.ts';

let nextSeed = randomInt(1, 1_000_000_000);

export type RunSettings = Settings & { seed: number; network?: string };

/** One short epoch: ten loss points and one test accuracy within seconds. */
export function shortRun(overrides: Settings = {}): RunSettings {
  return {
    epochs: 1,
    batchSize: 20,
    learningRate: 0.0001,
    trainLimit: 200,
    testLimit: 200,
    ...overrides,
    seed: nextSeed++,
  };
}

/**
 * A run that cannot finish while a test looks at it (minutes of work); small batches so that
 * points arrive often and a pause takes effect quickly. Tests stop it. The tutorial network on
 * purpose: a Tiny CNN left chosen by an earlier spec finishes 3 000 images in seconds.
 */
export function longRun(overrides: Settings = {}): RunSettings {
  return {
    network: 'tutorial-cnn',
    epochs: 3,
    batchSize: 10,
    learningRate: 0.0001,
    trainLimit: 10000,
    testLimit: 200,
    ...overrides,
    seed: nextSeed++,
  };
}
