// Fine-tuning on "My handwriting": the split (every fifth drawing held out), the MNIST mix, a copy
// whose frozen convolutions do not train, and end to end through the real dispatcher, host and
// worker: a fine-tune run is kept with its history, weights and before/after figures, its conv1
// feature maps are unchanged, and what cannot be fine-tuned is refused in words.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { err, ok, startHost, type HostFixture } from './host-fixture.ts';
import { selectEngine } from '../../../src/engine/select.ts';
import { buildNetwork } from '../../../src/model/cnn.ts';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import type { TestImage, TrainingEvent } from '../../../src/shared/events.ts';
import type { AppStatus } from '../../../src/shared/contract.ts';
import type { HandwritingSet } from '../../../src/shared/handwriting.ts';
import { presetById } from '../../../src/shared/network.ts';
import type { RunList } from '../../../src/shared/runs.ts';
import type { Inspection } from '../../../src/shared/worker-protocol.ts';
import {
  copyForFinetune,
  mixWithMnist,
  prepareFinetune,
  splitHandwriting,
} from '../../../src/worker/finetune.ts';

const tiny = presetById('tiny-cnn')!;

/** A set of `n` fake drawings whose first pixel says which one it is. */
function fakeSet(n: number): HandwritingSet {
  const images = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) images[i * 784] = i;
  return {
    folder: '/x',
    count: n,
    images,
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
  };
}

test('every fifth drawing is held out; the rest are mixed with seeded MNIST images', () => {
  const { train, heldOut } = splitHandwriting(fakeSet(12));
  assert.deepEqual(
    Array.from({ length: heldOut.count }, (_, i) => heldOut.images[i * 784]),
    [4, 9],
  );
  assert.equal(train.count, 10);
  assert.ok(!Array.from({ length: 10 }, (_, i) => train.images[i * 784]).includes(4));
  const mnist = fakeSet(100);
  for (let i = 0; i < 100; i++) mnist.images[i * 784 + 1] = 200; // marks MNIST images
  const mixed = mixWithMnist(train, mnist, 3, 7);
  assert.equal(mixed.count, 10 + 30);
  assert.equal(mixed.labels.length, 40);
  const marked = Array.from({ length: 40 }, (_, i) => mixed.images[i * 784 + 1] === 200);
  assert.equal(marked.filter(Boolean).length, 30);
  assert.deepEqual(mixWithMnist(train, mnist, 3, 7), mixed, 'the same seed picks the same images');
  assert.equal(mixWithMnist(train, mnist, 0, 7).count, 10);
});

test('the copy predicts as the original; frozen convolutions are not trainable', async () => {
  await selectEngine('wasm');
  const base = buildNetwork(tiny.network, 3);
  const frozen = copyForFinetune(base, tiny.network, true, 1e-3, 'adam');
  const free = copyForFinetune(base, tiny.network, false, 1e-3, 'adam');
  const names = (m: typeof base) => m.trainableWeights.map((w) => w.originalName);
  assert.ok(names(free).some((n) => n.startsWith('conv1')));
  assert.ok(!names(frozen).some((n) => n.startsWith('conv1')));
  assert.equal(names(frozen).length, names(free).length - 2);
  base.layers.forEach((layer, i) =>
    layer
      .getWeights()
      .forEach((w, j) =>
        assert.deepEqual(
          Array.from(frozen.layers[i]!.getWeights()[j]!.dataSync()),
          Array.from(w.dataSync()),
        ),
      ),
  );
  // And a copy of the frozen copy (a second fine-tune) still has the same weights in place.
  const again = copyForFinetune(frozen, tiny.network, false, 1e-3, 'adam');
  assert.deepEqual(
    Array.from(again.layers[0]!.getWeights()[0]!.dataSync()),
    Array.from(base.layers[0]!.getWeights()[0]!.dataSync()),
  );
  again.dispose();
  [base, frozen, free].forEach((m) => m.dispose());
});

test('data that is not digits is refused before anything is built', async () => {
  const split = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };
  const fashion = { name: 'Fashion-MNIST', classNames: ['T-shirt/top', 'Trouser', 'Pullover'] };
  await assert.rejects(
    prepareFinetune(
      {} as never,
      { layers: [] },
      null,
      fakeSet(12),
      {
        train: split,
        test: split,
        source: '',
        info: { ...fashion, source: 'folder' } as never,
      },
      { epochs: 1, learningRate: 1e-3, freezeConv: false, mnistPerDrawing: 0 },
      1,
    ),
    /Your handwriting is digits, but the data now is Fashion-MNIST: choose MNIST/,
  );
});

let fixture: HostFixture;
before(async () => (fixture = await startHost('cnn-finetune-')));
after(() => fixture.close());

const arg = { epochs: 2, learningRate: 1e-3, freezeConv: true, mnistPerDrawing: 2 };

/** Resolves with the events of the next run, once it is kept. */
function nextRun(): Promise<TrainingEvent[]> {
  const events: TrainingEvent[] = [];
  return new Promise((resolve) => {
    const off = fixture.host.onEvent((e) => {
      events.push(e);
      if (e.type !== 'run-kept') return;
      off();
      resolve(events);
    });
  });
}

test('refused in words: no model, too few drawings, settings out of range', async () => {
  const { dispatch } = fixture;
  assert.equal(err(await dispatch('training:finetune', arg)).code, 'NO_MODEL');
  assert.equal(err(await dispatch('training:finetune', { ...arg, epochs: 0 })).code, 'BAD_REQUEST');
  assert.equal(
    err(await dispatch('training:finetune', { ...arg, mnistPerDrawing: 99 })).code,
    'BAD_REQUEST',
  );
  const config: TrainConfig = {
    ...DEFAULT_CONFIG,
    network: tiny.network,
    optimizer: tiny.optimizer,
    learningRate: tiny.learningRate,
    epochs: 1,
    trainLimit: 300,
    testLimit: 200,
    seed: 9,
  };
  const kept = nextRun();
  ok(await dispatch('training:start', config));
  await kept;
  assert.match(
    err(await dispatch('training:finetune', arg)).message,
    /at least 10 drawings of yours \(you have 0\)/,
  );
});

test('a fine-tune run: kept with history, weights and figures; conv1 unchanged', async () => {
  const { dispatch } = fixture;
  // Twelve test images stand in for drawings: real digits with their labels.
  const images = ok<TestImage[]>(
    await dispatch('data:test-images', { indices: Array.from({ length: 12 }, (_, i) => i) }),
  );
  for (const image of images)
    ok<HandwritingSet>(
      await dispatch('handwriting:edit', {
        type: 'add',
        pixels: Float32Array.from(image.pixels, (p) => p / 255),
        label: image.label,
      }),
    );
  const probe = Float32Array.from(images[0]!.pixels, (p) => p / 255);
  const beforeMaps = ok<Inspection>(await dispatch('model:inspect', probe));

  const kept = nextRun();
  const { runId } = ok<{ runId: string }>(await dispatch('training:finetune', arg));
  const events = await kept;
  const started = events.find((e) => e.type === 'run-started');
  assert.ok(started?.type === 'run-started' && started.finetune);
  assert.deepEqual(
    { ...started.finetune, before: null },
    {
      freezeConv: true,
      mnistPerDrawing: 2,
      drawings: 10,
      heldOut: 2,
      mnistImages: 20,
      before: null,
    },
  );
  assert.equal(started.trainSize, 30);
  const accuracies = events.filter((e) => e.type === 'handwriting-accuracy');
  assert.deepEqual(
    accuracies.map((e) => [e.epoch, e.count]),
    [
      [1, 2],
      [2, 2],
    ],
  );
  assert.ok(events.some((e) => e.type === 'finished'));

  const list = ok<RunList>(await dispatch('run:list', null));
  const run = list.runs.find((r) => r.id === runId)!;
  assert.ok(run.hasWeights);
  assert.equal(run.epochsCompleted, 2);
  assert.equal(run.finetune?.handwriting.length, 2);
  assert.deepEqual(run.finetune?.before, started.finetune.before);

  // The fine-tuned model is the current one: conv1 frozen, so its maps are exactly as before.
  const afterMaps = ok<Inspection>(await dispatch('model:inspect', probe));
  assert.deepEqual(Array.from(afterMaps.maps[0]!.values), Array.from(beforeMaps.maps[0]!.values));
  assert.notDeepEqual(afterMaps.probabilities, beforeMaps.probabilities);

  // Its whole history is kept: opened again, every view gets the held-out figures back.
  ok(await dispatch('run:open', { id: runId }));
  const status = ok<AppStatus>(await dispatch('training:status', null));
  assert.equal(status.history.filter((e) => e.type === 'handwriting-accuracy').length, 2);
  assert.ok(status.history.some((e) => e.type === 'run-started' && e.finetune));
});
