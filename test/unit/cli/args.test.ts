// `npm run train` flags: out-of-range settings are one clear sentence each (exit 2 in main).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { presetById } from '../../../src/shared/network.ts';
import { parseTrainArgs } from '../../../src/cli/args.ts';

describe('parseTrainArgs', () => {
  test('out-of-range and malformed settings', () => {
    const cases: [string[], RegExp][] = [
      [['--lr', '0'], /--lr: Learning rate must be above 0 and at most 1\.$/],
      [['--lr=-0.1'], /--lr: Learning rate must be above 0/],
      [['--lr', 'NaN'], /--lr needs a number, got "NaN"\.$/],
      [['--lr', 'Infinity'], /--lr needs a number, got "Infinity"\.$/],
      [['--batch', '0'], /--batch: Batch size must be between 1 and 4096\.$/],
      [
        ['--batch', '200', '--limit', '100'],
        /--batch: Batch size must not exceed the 100 training images\.$/,
      ],
      [['--epochs', '1.5'], /--epochs: Epochs must be a whole number\.$/],
      [['--epochs', '100000'], /--epochs: Epochs must be between 1 and 1000\.$/],
      [['--epochs', ''], /--epochs needs a number/],
      // Number() reads these as 100 and 1; a learner typing them means no number at all.
      [['--batch', '0x64'], /--batch needs a number, got "0x64"\.$/],
      [['--epochs', '0b1'], /--epochs needs a number, got "0b1"\.$/],
      [['--limit', '70000'], /--limit: Training images must be between 1 and 60000\.$/],
      [['--resume'], /--resume needs --checkpoint-dir DIR/],
      [
        ['--resume', '--checkpoint-dir', '/x', '--epochs', '3'],
        /--epochs cannot be combined with --resume/,
      ],
      [['--checkpoint-dir', ''], /--checkpoint-dir needs a folder path\.$/],
      [
        ['--engine', 'gpu'],
        /--engine="gpu" is not an engine; use one of auto, native, wasm, cpu\.$/,
      ],
    ];
    for (const [argv, message] of cases)
      assert.throws(() => parseTrainArgs(argv, {}), message, argv.join(' '));
  });

  test('the engine: --engine first, then CNN_STUDIO_ENGINE, read as the app and server read it', () => {
    assert.equal(parseTrainArgs(['--engine', 'CPU'], { CNN_STUDIO_ENGINE: 'wasm' }).engine, 'cpu');
    assert.equal(parseTrainArgs([], { CNN_STUDIO_ENGINE: ' Wasm ' }).engine, 'wasm');
    assert.throws(
      () => parseTrainArgs([], { CNN_STUDIO_ENGINE: 'tpu' }),
      /CNN_STUDIO_ENGINE="tpu"/,
    );
  });

  test('--save takes a model name, never a path', () => {
    assert.throws(
      () => parseTrainArgs(['--save', '../x'], {}),
      /--save: The name must not contain \/ or \\\./,
    );
    assert.throws(
      () => parseTrainArgs(['--save', '.x'], {}),
      /--save: The name must not start with a dot/,
    );
    const a = parseTrainArgs(['--save', 'digits', '--models', '/m'], {});
    assert.equal(a.save, 'digits');
    assert.equal(a.models, '/m');
  });

  test('--preset, --arch and --optimizer: a network and its settings, each mistake in words', async () => {
    const nn = parseTrainArgs(['--preset', 'standard-nn']).config;
    assert.deepEqual(
      [nn.network, nn.optimizer, nn.learningRate, nn.batchSize, nn.epochs],
      [presetById('standard-nn')!.network, 'sgd', 0.5, 100, 10],
    );
    assert.equal(
      parseTrainArgs(['--preset', 'standard-nn', '--lr', '0.1']).config.learningRate,
      0.1,
    );
    assert.equal(parseTrainArgs(['--optimizer', 'rmsprop']).config.optimizer, 'rmsprop');
    const dir = await mkdtemp(join(tmpdir(), 'cnn-arch-'));
    const file = join(dir, 'net.json');
    await writeFile(file, JSON.stringify(presetById('tiny-cnn')!.network));
    assert.deepEqual(
      parseTrainArgs(['--arch', file]).config.network,
      presetById('tiny-cnn')!.network,
    );
    await writeFile(
      file,
      JSON.stringify({
        layers: [{ kind: 'flatten' }, { kind: 'dense', units: 9, activation: 'linear' }],
      }),
    );
    assert.throws(
      () => parseTrainArgs(['--arch', file]),
      /^Error: --arch: network\.layers\[1\]: The last layer must be dense with 10 units/,
    );
    await writeFile(file, '{"layers": [');
    assert.throws(
      () => parseTrainArgs(['--arch', file]),
      /--arch: cannot read .*net\.json: .*JSON/,
    );
    assert.throws(
      () => parseTrainArgs(['--preset', 'vgg']),
      /--preset: no preset "vgg"; use one of tutorial-cnn, standard-nn/,
    );
    assert.throws(
      () => parseTrainArgs(['--optimizer', 'adagrad']),
      /--optimizer: use one of adam, sgd/,
    );
    // Any optimizer's run can be checkpointed (its own state goes with it).
    assert.equal(
      parseTrainArgs(['--preset', 'standard-nn', '--checkpoint-dir', dir]).checkpointDir,
      dir,
    );
    await rm(dir, { recursive: true, force: true });
  });

  test('checkpoint flags', () => {
    const a = parseTrainArgs(['--checkpoint-dir', '/tmp/c'], {});
    assert.equal(a.checkpointDir, '/tmp/c');
    assert.equal(a.resume, false);
    assert.equal(parseTrainArgs(['--resume', '--checkpoint-dir', '/tmp/c'], {}).resume, true);
  });
});
