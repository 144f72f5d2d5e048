// The models panel's wording: model summaries, the checkpoint sentence, free names, safe defaults.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkpointSummary,
  formatBytes,
  formatDate,
  freeName,
  modelSummary,
  suggestName,
} from '../../../renderer/src/lib/state/models.ts';
import { DEFAULT_CONFIG } from '../../../src/shared/config.ts';
import { modelNameError, type CheckpointInfo, type ModelInfo } from '../../../src/shared/models.ts';

const model: ModelInfo = {
  name: 'digits',
  createdAt: '2026-11-24T18:08:08.853Z',
  engine: 'wasm',
  config: DEFAULT_CONFIG,
  epochsTrained: 10,
  testAccuracy: 0.9912,
  network: DEFAULT_CONFIG.network,
  changes: [],
  bytes: 12_796_424,
  problem: null,
};

test('a model is summarised by accuracy, epochs, engine and size; unknowns are left out', () => {
  assert.equal(modelSummary(model), '99.1% test · 10 epochs · wasm · 12.2 MB');
  assert.equal(
    modelSummary({ ...model, testAccuracy: null, epochsTrained: 1, engine: null, bytes: 0 }),
    '1 epoch',
  );
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(2048), '2 kB');
  assert.equal(formatDate(null), 'date unknown');
  assert.equal(formatDate('not a date'), 'date unknown');
  assert.match(formatDate(model.createdAt, 'en-GB'), /2026/);
});

test('the checkpoint sentence says what can be resumed, what is done, and what is broken', () => {
  const cp: CheckpointInfo = {
    runId: 'run-1',
    createdAt: model.createdAt,
    engine: 'wasm',
    config: { ...DEFAULT_CONFIG, epochs: 10 },
    epochsCompleted: 3,
    testAccuracy: 0.97,
    resumable: true,
    problem: null,
  };
  assert.equal(checkpointSummary(null), null);
  assert.equal(
    checkpointSummary(cp),
    'An unfinished run was saved after 3 of 10 epochs, 97.0% test accuracy.',
  );
  assert.equal(
    checkpointSummary({ ...cp, epochsCompleted: 10, resumable: false }),
    'The last run completed all 10 epochs, 97.0% test accuracy.',
  );
  assert.equal(
    checkpointSummary({
      ...cp,
      config: null,
      resumable: false,
      problem: 'optimizer.bin is missing',
    }),
    'The last checkpoint cannot be used: optimizer.bin is missing.',
  );
});

test('the checkpoint sentence uses plural rules and is not shown during a run', () => {
  const one: CheckpointInfo = {
    runId: 'r',
    createdAt: null,
    engine: 'wasm',
    config: { ...DEFAULT_CONFIG, epochs: 1 },
    epochsCompleted: 1,
    testAccuracy: null,
    resumable: false,
    problem: null,
  };
  assert.equal(checkpointSummary(one), 'The last run completed its one epoch.');
  assert.equal(
    checkpointSummary({ ...one, config: { ...DEFAULT_CONFIG, epochs: 2 }, resumable: true }),
    'An unfinished run was saved after 1 of 2 epochs.',
  );
  // Mid-run the file on disk is this run's own: "unfinished run" and "the last run" would lie.
  assert.equal(checkpointSummary(one, true), null);
  assert.equal(checkpointSummary({ ...one, resumable: true }, true), null);
});

test('free names and suggested names are valid model names', () => {
  assert.equal(freeName('digits', ['other']), 'digits');
  assert.equal(freeName('digits', ['Digits', 'digits (2)']), 'digits (3)');
  const long = 'x'.repeat(64);
  const free = freeName(long, [long]);
  assert.equal(free.length, 64);
  assert.ok(free.endsWith(' (2)'));
  for (const d of [new Date(2026, 0, 5, 7, 3), new Date(2026, 11, 31, 23, 59)]) {
    const name = suggestName(d);
    assert.equal(modelNameError(name), null, name);
  }
  assert.equal(suggestName(new Date(2026, 0, 5, 7, 3)), 'mnist 5 Jan 07-03');
});
