// Data from a folder, end to end through the real host and worker: Fashion-MNIST (Debian's
// dataset-fashion-mnist) with its class names from labels.txt trains a small network; a model
// trained on it refuses other data; a bad labels.txt or a missing file is refused by name and the
// data in use stays.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { err, ok, startHost, type HostFixture } from './host-fixture.ts';
import { defaultMnistDir } from '../../../src/data/mnist.ts';
import type { TrainingHost } from '../../../src/host/training-host.ts';
import { DEFAULT_CONFIG } from '../../../src/shared/config.ts';
import type { AppStatus } from '../../../src/shared/contract.ts';
import type { DatasetInfo } from '../../../src/shared/dataset.ts';
import type { TrainingEvent } from '../../../src/shared/events.ts';
import { presetById } from '../../../src/shared/network.ts';
import type { RunList } from '../../../src/shared/runs.ts';

/** Where Debian's dataset-fashion-mnist puts the four gzipped files (.ci/run installs it). */
const FASHION = '/usr/share/datasets/fashion-mnist';
const FASHION_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];
const FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];

let root: string;
let host: TrainingHost;
let dispatch: HostFixture['dispatch'];
let fixture: HostFixture;
before(async () => {
  fixture = await startHost('cnn-data-');
  ({ root, host, dispatch } = fixture);
  // The worker reads the bundled MNIST at start-up and says so; the tests start from there.
  const known = new Promise<void>((resolve) => {
    const off = host.onEvent((e) => {
      if (e.type === 'dataset') {
        off();
        resolve();
      }
    });
  });
  host.warmUp();
  await known;
});
after(() => fixture.close());

/** A folder of links to `from`'s four files (raw or .gz), plus `labels` as labels.txt. */
async function dataFolder(name: string, from: string, labels: string | null): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  for (const f of FILES) {
    const file = existsSync(join(from, f)) ? f : `${f}.gz`;
    await symlink(join(from, file), join(dir, file));
  }
  if (labels !== null) await writeFile(join(dir, 'labels.txt'), labels);
  return dir;
}

const currentData = async (): Promise<DatasetInfo | undefined> => {
  const status = ok<AppStatus>(await dispatch('training:status', null));
  const e = status.history.findLast((x) => x.type === 'dataset');
  return e?.type === 'dataset' ? e.dataset : undefined;
};

describe('data from a folder', () => {
  test('a labels.txt without one line per class is refused by name; the data stays', async () => {
    const dir = await dataFolder('nine-names', defaultMnistDir(), 'a\nb\nc\nd\ne\nf\ng\nh\ni\n');
    const e = err(await dispatch('data:choose', { bundled: false, folder: dir }));
    assert.equal(e.code, 'BAD_DATA');
    assert.match(e.message, /^labels\.txt: names 9 classes, one per line/);
    assert.equal((await currentData())?.name, 'MNIST');
  });

  test('a folder without its test labels is refused, naming the file', async () => {
    const dir = await dataFolder('no-test-labels', defaultMnistDir(), null);
    await rm(join(dir, existsSync(join(dir, FILES[3]!)) ? FILES[3]! : `${FILES[3]}.gz`));
    const e = err(await dispatch('data:choose', { bundled: false, folder: dir }));
    assert.equal(e.code, 'BAD_DATA');
    assert.match(e.message, /t10k-labels-idx1-ubyte/);
    assert.equal((await currentData())?.name, 'MNIST');
  });

  test('a relative path is refused before anything is read', async () => {
    const e = err(await dispatch('data:choose', { bundled: false, folder: 'datasets/x' }));
    assert.match(e.message, /is not a full path/);
  });

  const skip = existsSync(FASHION)
    ? false
    : `${FASHION} is missing: install Debian's dataset-fashion-mnist (.ci/run does)`;
  if (skip) console.log(`# skipped Fashion-MNIST end to end: ${skip}`);

  test(
    'Fashion-MNIST trains, with its class names; its model refuses MNIST',
    { skip },
    async () => {
      const dir = await dataFolder('fashion-mnist', FASHION, `${FASHION_NAMES.join('\n')}\n`);
      const info = ok<DatasetInfo>(await dispatch('data:choose', { bundled: false, folder: dir }));
      assert.deepEqual(info, {
        name: basename(dir),
        folder: dir,
        classNames: FASHION_NAMES,
        trainCount: 60_000,
        testCount: 10_000,
      });
      assert.deepEqual(await currentData(), info);

      const tiny = presetById('tiny-cnn')!;
      const events: TrainingEvent[] = [];
      const kept = new Promise<void>((resolve) => {
        const off = host.onEvent((e) => {
          events.push(e);
          if (e.type === 'run-kept') {
            off();
            resolve();
          }
        });
      });
      ok(
        await dispatch('training:start', {
          ...DEFAULT_CONFIG,
          network: tiny.network,
          learningRate: tiny.learningRate,
          epochs: 2,
          trainLimit: 1000,
          testLimit: 500,
        }),
      );
      await kept;
      const started = events.find((e) => e.type === 'run-started');
      assert.equal(started?.type === 'run-started' && started.dataset?.name, 'fashion-mnist');
      const finished = events.find((e) => e.type === 'finished');
      assert.ok(finished?.type === 'finished');
      // Ten classes: chance is 10%. A tiny CNN on 1 000 images does far better.
      assert.ok(finished.testAccuracy > 0.4, `test accuracy ${finished.testAccuracy}`);
      const { runs } = ok<RunList>(await dispatch('run:list', null));
      assert.equal(runs[0]?.dataset, 'fashion-mnist');

      ok(await dispatch('model:save', { name: 'fashion', overwrite: false }));
      ok(await dispatch('data:choose', { bundled: true, folder: null }));
      assert.equal((await currentData())?.name, 'MNIST');
      const e = err(await dispatch('model:load', { name: 'fashion' }));
      assert.equal(e.code, 'BAD_REQUEST');
      assert.match(e.message, /"fashion" was trained on fashion-mnist, but the data now is MNIST/);
      ok(await dispatch('data:choose', { bundled: false, folder: dir }));
      ok(await dispatch('model:load', { name: 'fashion' }));
    },
  );
});
