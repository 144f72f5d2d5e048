// Loading checks everything before use, with one specific error per problem (src/library/
// model-files.ts, then src/model/load.ts on the built graph), on tampered copies of a real model.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ModelFileError, manifestPathProblem } from '../../../src/library/model-files.ts';
import { readModelFolder } from '../../../src/library/model-folder.ts';
import { buildFromFiles, disposeModel, loadModelFolder } from '../../../src/model/load.ts';
import { saveModelAtomic } from '../../../src/model/store.ts';
import { META, TAMPERS, saveRealModel, tamperedCopy, tempRoot } from './model-fixture.ts';

let root: string;
let real: string;
before(async () => {
  root = await tempRoot();
  real = join(root, 'real');
  await saveRealModel(real);
});
after(() => rm(root, { recursive: true, force: true }));

describe('a sound model', () => {
  test('reads, checks and builds, with its metadata and exact weights', async () => {
    const files = await readModelFolder(real);
    assert.equal(files.weightData.byteLength, 12_796_424);
    assert.equal(files.expectedBytes, 12_796_424);
    assert.deepEqual(files.paths, ['weights.bin']);
    assert.equal(files.meta?.['name'], 'real');
    assert.equal(files.meta?.['testAccuracy'], META.testAccuracy);
    const { model } = await loadModelFolder(real);
    assert.deepEqual(model.inputs[0]!.shape, [null, 28, 28, 1]);
    assert.deepEqual(model.outputs[0]!.shape, [null, 10]);
    const onDisk = new Float32Array(files.weightData, 0, 5 * 5 * 32);
    assert.deepEqual(model.getLayer('conv1').getWeights()[0]!.dataSync(), onDisk);
    disposeModel(model);
  });
});

describe('tampered copies are refused, each with its own error', () => {
  for (const t of TAMPERS)
    test(t.what, async () => {
      const dir = await tamperedCopy(real, join(root, 'bad'), t.tamper);
      const error = await readModelFolder(dir).then(
        () => assert.fail('expected the copy to be refused'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ModelFileError, String(error));
      assert.equal(error.kind, t.kind, error.message);
      assert.match(error.problem, t.message);
    });
});

describe('checks only the built graph can make', () => {
  test('a softmax after 5 units passes the file checks but not the output check', async () => {
    const odd = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28, 1] }),
        tf.layers.dense({ units: 5 }),
        tf.layers.activation({ activation: 'softmax' }),
      ],
    });
    const dir = join(root, 'odd');
    await saveModelAtomic(odd, dir, { ...META, name: 'odd' });
    odd.dispose();
    const files = await readModelFolder(dir); // the last layer is not Dense: cannot tell here
    const before = tf.memory().numTensors;
    await assert.rejects(buildFromFiles(files, dir), (e: unknown) => {
      assert.ok(e instanceof ModelFileError);
      assert.equal(e.kind, 'output-shape');
      assert.match(e.problem, /output is \[null, 5\]/);
      return true;
    });
    assert.equal(tf.memory().numTensors, before, 'the refused model was freed');
  });

  test('a topology tfjs cannot build is a format error naming the cause', async () => {
    const dir = await tamperedCopy(real, join(root, 'unknown-layer'), {
      json: (j) => void (j.modelTopology.config.layers[1].class_name = 'NoSuchLayer'),
    });
    const files = await readModelFolder(dir);
    await assert.rejects(buildFromFiles(files, dir), /cannot be built \(.*NoSuchLayer/);
  });
});

test('manifest paths: only plain file names inside the folder', () => {
  for (const ok of ['weights.bin', 'group1-shard1of2.bin', 'w..bin'])
    assert.equal(manifestPathProblem(ok), null, ok);
  for (const bad of [
    '',
    '.',
    '..',
    '../x',
    'a/../../x',
    '/abs',
    '\\\\server\\share',
    'C:\\w.bin',
    'c:w.bin',
    'file:///etc/passwd',
    'a\0b',
    'x'.repeat(256),
    42,
  ])
    assert.notEqual(manifestPathProblem(bad), null, String(bad));
});

test('the saved model.json is tfjs layers-model format with our metadata', async () => {
  const json = JSON.parse(await readFile(join(real, 'model.json'), 'utf8'));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
  assert.deepEqual(Object.keys(json.userDefinedMetadata).sort(), [
    'config',
    'createdAt',
    'engine',
    'epochsTrained',
    'name',
    'testAccuracy',
  ]);
});
