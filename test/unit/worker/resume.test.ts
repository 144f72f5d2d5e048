// Checkpoints through the real worker: a stopped run resumes to the same numbers as an
// uninterrupted one; a worker that dies mid-run (terminated, or out of memory) is reported, the
// host survives, and the run resumes from its last checkpoint; closing the host mid-run leaves a
// resumable checkpoint. Tiny subsets: 150 training images (3 batches), 100 test images.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { after, before, test } from 'node:test';
import { createDispatcher } from '../../../src/host/dispatch.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import type { Result } from '../../../src/shared/contract.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import type { CheckpointInfo } from '../../../src/shared/models.ts';

const CONFIG: TrainConfig = {
  ...DEFAULT_CONFIG,
  epochs: 3,
  batchSize: 50,
  learningRate: 1e-3,
  trainLimit: 150,
  testLimit: 100,
  seed: 11,
};

let root: string;
before(async () => (root = await mkdtemp(join(tmpdir(), 'cnn-resume-'))));
after(() => rm(root, { recursive: true, force: true }));

type Ev<T extends TrainingEvent['type']> = Extract<TrainingEvent, { type: T }>;

/** A host on its own checkpoint folder, recording every event; `spawn` may wrap the worker. */
function newHost(checkpointDir: string, spawn: () => Worker = () => spawnSourceWorker()) {
  const host = new TrainingHost({
    spawn,
    engine: 'wasm',
    dataDir: null,
    checkpointDir,
    log: () => {},
  });
  const events: TrainingEvent[] = [];
  host.onEvent((e) => events.push(e));
  const next = <T extends TrainingEvent['type']>(
    type: T,
    where: (e: Ev<T>) => boolean = () => true,
  ): Promise<Ev<T>> =>
    new Promise((resolve) => {
      const off = host.onEvent((e) => {
        if (e.type === type && where(e as Ev<T>)) {
          off();
          resolve(e as Ev<T>);
        }
      });
    });
  const of = <T extends TrainingEvent['type']>(type: T, runId: string): Ev<T>[] =>
    events.filter((e): e is Ev<T> => e.type === type && 'runId' in e && e.runId === runId);
  /** Every batch loss of `epoch` in run `runId`, by batch index. */
  const losses = (runId: string, epoch: number): number[] => {
    const out: number[] = [];
    for (const b of of('batch', runId))
      if (b.epoch === epoch) b.losses.forEach((l, i) => (out[b.firstBatch - 1 + i] = l));
    return out;
  };
  return { host, dispatch: createDispatcher(host), events, next, of, losses };
}

const value = <T>(r: Result<T>): T => {
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
};

const close = (a: number[], b: number[], what: string): void => {
  assert.equal(a.length, b.length, `${what}: ${a.length} vs ${b.length} batches`);
  a.forEach((x, i) =>
    assert.ok(Math.abs(x - b[i]!) <= 1e-5 * Math.abs(x), `${what} batch ${i + 1}: ${x} vs ${b[i]}`),
  );
};

let uninterrupted: { losses: number[][]; accuracy: number };

test('an uninterrupted run writes a checkpoint after every epoch', async () => {
  const t = newHost(join(root, 'whole'));
  const finished = t.next('finished');
  const { runId } = value(await t.host.request({ type: 'start', config: CONFIG }));
  const end = await finished;
  assert.deepEqual(
    t.of('checkpoint', runId).map((c) => [c.epoch, c.error]),
    [
      [1, null],
      [2, null],
      [3, null],
    ],
  );
  const info = value(await t.dispatch('training:checkpoint', null)) as CheckpointInfo;
  assert.equal(info.epochsCompleted, 3);
  assert.equal(info.resumable, false, 'a finished run has nothing to resume');
  const resume = await t.dispatch('training:resume-checkpoint', null);
  assert.ok(!resume.ok && resume.error.code === 'BAD_REQUEST');
  assert.match(resume.error.message, /already completed all 3 epochs/);
  uninterrupted = { losses: [1, 2, 3].map((e) => t.losses(runId, e)), accuracy: end.testAccuracy };
  await t.host.close();
});

test('stopped after epoch 1 and resumed, the run ends exactly like the uninterrupted one', async () => {
  const t = newHost(join(root, 'stopped'));
  const first = t.next('checkpoint');
  const { runId } = value(await t.host.request({ type: 'start', config: CONFIG }));
  await first;
  const stopped = t.next('stopped');
  value(await t.host.request({ type: 'stop' }));
  assert.equal((await stopped).epochsCompleted, 1);
  close(t.losses(runId, 1), uninterrupted.losses[0]!, 'epoch 1');

  const info = value(await t.dispatch('training:checkpoint', null)) as CheckpointInfo;
  assert.equal(info.epochsCompleted, 1);
  assert.equal(info.resumable, true);
  assert.deepEqual(info.config, CONFIG);

  const finished = t.next('finished');
  const resumed = value(await t.dispatch('training:resume-checkpoint', null)) as { runId: string };
  assert.notEqual(resumed.runId, runId);
  const end = await finished;
  assert.equal(end.epochs, 3, 'the same number of epochs in total');
  // The resumed run shows its whole history: epoch 1 replayed, 2 and 3 trained.
  assert.deepEqual(
    t.of('epoch-end', resumed.runId).map((e) => e.epoch),
    [1, 2, 3],
  );
  // Its filters start from the weights after epoch 1 (not "initial random weights"), and its
  // clock continues from the first run's instead of restarting at zero.
  const snapshot = t.of('filters', resumed.runId)[0]!;
  const started = t.of('run-started', resumed.runId)[0]!;
  assert.deepEqual([snapshot.epoch, snapshot.batch], [1, started.batchesPerEpoch]);
  const epoch1 = t.of('epoch-end', runId)[0]!;
  const firstBatch = t.of('batch', resumed.runId).find((e) => e.epoch === 2)!;
  assert.ok(
    firstBatch.elapsedSec >= epoch1.elapsedSec,
    `the clock goes on: ${firstBatch.elapsedSec} s after ${epoch1.elapsedSec} s`,
  );
  close(t.losses(resumed.runId, 1), uninterrupted.losses[0]!, 'replayed epoch 1');
  // Epochs 2 and 3 depend on the weights and on Adam's moments and step count after epoch 1.
  close(t.losses(resumed.runId, 2), uninterrupted.losses[1]!, 'epoch 2');
  close(t.losses(resumed.runId, 3), uninterrupted.losses[2]!, 'epoch 3');
  assert.equal(end.testAccuracy, uninterrupted.accuracy);
  await t.host.close();
});

test('a worker killed mid-run is reported, the host survives, and the run resumes', async () => {
  let worker: Worker | null = null;
  const t = newHost(join(root, 'killed'), () => (worker = spawnSourceWorker()));
  const first = t.next('checkpoint');
  const { runId } = value(await t.host.request({ type: 'start', config: CONFIG }));
  await first;
  const crashed = t.next('failed');
  await worker!.terminate(); // the thread dies between batches of epoch 2, as a crash would
  const failure = await crashed;
  assert.equal(failure.error.code, 'WORKER_CRASHED');
  assert.equal(failure.runId, runId, 'the failure is attributed to the run');
  assert.match(
    failure.error.message,
    /stopped unexpectedly\. The app is still running; resume from the last checkpoint/,
  );
  assert.deepEqual((await t.host.status()).worker.state, 'idle');

  const info = value(await t.dispatch('training:checkpoint', null)) as CheckpointInfo;
  assert.ok(
    info.resumable && info.epochsCompleted >= 1 && info.epochsCompleted < 3,
    JSON.stringify(info),
  );
  const finished = t.next('finished');
  value(await t.dispatch('training:resume-checkpoint', null)); // a new worker starts
  const end = await finished;
  assert.equal(end.epochs, 3);
  assert.equal(end.testAccuracy, uninterrupted.accuracy, 'as if nothing had happened');
  await t.host.close();
});

test('a worker out of memory is reported as such and pending requests are answered', async () => {
  // The first worker gets a heap far too small for TensorFlow (a real V8 out-of-memory), later
  // ones are normal. The checkpoint left by the killed run above is then resumed.
  let spawns = 0;
  const t = newHost(join(root, 'killed'), () =>
    ++spawns === 1
      ? new Worker(
          `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(
            new URL('../../../src/worker/training.worker.ts', import.meta.url).href,
          )}); })`,
          {
            eval: true,
            resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
          },
        )
      : spawnSourceWorker(),
  );
  const failed = t.next('failed');
  const pending = await t.host.request({ type: 'status' });
  assert.ok(!pending.ok && pending.error.code === 'WORKER_CRASHED', JSON.stringify(pending));
  assert.match(pending.error.message, /^The training thread ran out of memory\./);
  assert.match(pending.error.detail ?? '', /memory limit/);
  assert.equal((await failed).error.code, 'WORKER_CRASHED');
  const status = value(await t.dispatch('training:status', null));
  assert.ok(status, 'the host still answers');
  const info = value(await t.dispatch('training:checkpoint', null)) as CheckpointInfo;
  assert.equal(info.epochsCompleted, 3, 'the checkpoint of the previous test is intact');
  assert.equal(spawns, 1);
  await t.host.close();
});

test('closing the host mid-run stops cleanly and leaves a resumable checkpoint', async () => {
  const dir = join(root, 'closed');
  const t = newHost(dir);
  const first = t.next('checkpoint');
  value(await t.host.request({ type: 'start', config: CONFIG }));
  await first;
  const stopped = t.next('stopped');
  await t.host.close();
  const s = await stopped;
  assert.equal(s.reason, 'shutdown');

  // The app starts again: a new host finds the checkpoint and finishes the run.
  const again = newHost(dir);
  const info = value(await again.dispatch('training:checkpoint', null)) as CheckpointInfo;
  assert.equal(info.epochsCompleted, s.epochsCompleted);
  assert.ok(info.resumable);
  const finished = again.next('finished');
  value(await again.dispatch('training:resume-checkpoint', null));
  assert.equal((await finished).epochs, 3);
  await again.host.close();
});
