// The start-up speed measurement behind the window's time estimate: real steps, nothing left over.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { selectEngine } from '../../../src/engine/select.ts';
import { measureSpeed } from '../../../src/training/speed.ts';

before(async () => {
  await selectEngine('wasm');
});

test('measures training and test speed and frees every tensor it made', async () => {
  const before = tf.memory().numTensors;
  const speed = await measureSpeed({ batch: 10, steps: 2, testBatch: 50 });
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  assert.ok(speed.trainImagesPerSec > 0 && Number.isFinite(speed.trainImagesPerSec));
  assert.ok(speed.testImagesPerSec > 0 && Number.isFinite(speed.testImagesPerSec));
  // Inference does a third of a training step's work per image, at most: it is the faster one.
  assert.ok(speed.testImagesPerSec > speed.trainImagesPerSec, JSON.stringify(speed));
});
