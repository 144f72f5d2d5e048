// Building a model from checked files: a build that fails frees everything it made.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { selectEngine } from '../../../src/engine/select.ts';
import { ModelFileError } from '../../../src/library/model-files.ts';
import { readModelFolder } from '../../../src/library/model-folder.ts';
import { buildFromFiles, disposeModel } from '../../../src/model/load.ts';
import { BUILD_FAILS, saveRealModel, tamperedCopy, tempRoot } from '../library/model-fixture.ts';

let root: string;
before(async () => {
  await selectEngine('wasm');
  root = await tempRoot('cnn-load-');
  await saveRealModel(join(root, 'real'));
});
after(() => rm(root, { recursive: true, force: true }));

const memory = () => ({
  tensors: tf.memory().numTensors,
  variables: Object.keys(tf.engine().state.registeredVariables).length,
});

test('a build that fails in tfjs leaves no tensor and no variable behind, however often', async () => {
  const noBias = BUILD_FAILS;
  const dir = await tamperedCopy(join(root, 'real'), join(root, 'no-bias'), noBias.tamper);
  const files = await readModelFolder(dir); // every file check passes: only building fails
  const before = memory();
  for (let i = 0; i < 3; i++)
    await assert.rejects(buildFromFiles(files, dir), (e: Error) => {
      assert.ok(e instanceof ModelFileError, String(e));
      assert.match(e.message, noBias.message);
      return true;
    });
  assert.deepEqual(memory(), before);
});

test('a build that works keeps exactly its weights, and predicts', async () => {
  const files = await readModelFolder(join(root, 'real'));
  const before = memory();
  const model = await buildFromFiles(files, join(root, 'real'));
  assert.deepEqual(memory(), {
    tensors: before.tensors + model.weights.length,
    variables: before.variables + model.weights.length,
  });
  const p = tf.tidy(() => model.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor);
  assert.deepEqual(p.shape, [2, 10]);
  p.dispose();
  disposeModel(model);
  assert.deepEqual(memory(), before);
});
