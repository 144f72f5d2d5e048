// A truncated or corrupted dataset file reaches the user as BAD_DATA naming the file, through the
// real worker and through `npm run train`; the worker stays up and answers the next request.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createDispatcher } from '../../../src/host/dispatch.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import type { AppStatus } from '../../../src/shared/contract.ts';
import type { ErrorEnvelope } from '../../../src/shared/errors.ts';
import { cleanup, dataFolder, readReal } from '../data/fixtures.ts';

const TEST_IMAGES = 't10k-images-idx3-ubyte';
const TRAIN_LABELS = 'train-labels-idx1-ubyte';
const CONFIG = {
  epochs: 1,
  batchSize: 50,
  learningRate: 1e-3,
  trainLimit: 100,
  testLimit: 50,
  seed: 1,
};

let truncated: string;
let badLabels: string;
before(async () => {
  const images = await readReal(TEST_IMAGES);
  truncated = await dataFolder({ [TEST_IMAGES]: images.subarray(0, images.length - 100) });
  const labels = Buffer.from(await readReal(TRAIN_LABELS));
  labels[8 + 5] = 12; // the sixth label is not a digit
  badLabels = await dataFolder({ [TRAIN_LABELS]: labels });
});
after(cleanup);

test('the app: training:start answers BAD_DATA with the file and what is wrong; nothing crashes', async () => {
  const host = new TrainingHost({
    spawn: () => spawnSourceWorker(),
    engine: 'wasm',
    dataDir: truncated,
    log: () => {},
  });
  const failures: ErrorEnvelope[] = [];
  host.onEvent((e) => e.type === 'failed' && failures.push(e.error));
  host.warmUp(); // the app starts the worker at launch: the bad file is reported before Train
  try {
    const dispatch = createDispatcher(host);
    for (let attempt = 1; attempt <= 2; attempt++) {
      const r = await dispatch('training:start', CONFIG);
      assert.ok(!r.ok, JSON.stringify(r));
      assert.equal(r.error.code, 'BAD_DATA');
      assert.equal(
        r.error.message,
        't10k-images-idx3-ubyte: file is 7839916 bytes but its header promises 10000 images (7840016 bytes): 100 bytes are missing, so the file is truncated (download it again)',
      );
      assert.equal(r.error.detail, join(truncated, TEST_IMAGES));
    }
    const status = await dispatch('training:status', null);
    assert.ok(status.ok && (status.value as AppStatus).worker.state === 'idle');
    // Once at launch (for the error panel), then as the answer to each Train; never a crash.
    assert.deepEqual(
      failures.map((f) => [f.code, f.message.slice(0, 22)]),
      [['BAD_DATA', 't10k-images-idx3-ubyte']],
    );
  } finally {
    await host.close();
  }
});

test('the CLI: exit code 1 and the same sentence', async () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/train.ts',
      '--engine',
      'wasm',
      '--limit',
      '100',
      '--data',
      badLabels,
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 1, out);
  assert.match(out, /^error: train-labels-idx1-ubyte: .*12/m);
});
