import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG } from '../../../src/shared/config.ts';
import {
  draftFrom,
  isDefaultDraft,
  parseDraft,
  parseNumber,
} from '../../../renderer/src/lib/state/config-form.ts';
import {
  controlsFor,
  etaText,
  formatDuration,
  formatLoss,
  formatPercent,
  formatProbability,
  plural,
  progressOf,
  type ControlsInput,
} from '../../../renderer/src/lib/state/derive.ts';
import { initialView, reduce, reduceAll } from '../../../renderer/src/lib/state/reducer.ts';
import { batch, epochEnd, fullRun, started } from './fixtures.ts';

describe('controls', () => {
  const base: ControlsInput = {
    state: 'idle',
    connected: true,
    configValid: true,
    busy: false,
    stopping: false,
    awaitingRun: false,
  };
  const enabled = (i: Partial<ControlsInput>): string[] =>
    Object.entries(controlsFor({ ...base, ...i }))
      .filter(([, on]) => on)
      .map(([k]) => k);

  it('follows the run state', () => {
    assert.deepEqual(enabled({ state: 'idle' }), ['canTrain', 'canEdit']);
    assert.deepEqual(enabled({ state: 'running' }), ['canPause', 'canStop']);
    assert.deepEqual(enabled({ state: 'paused' }), ['canResume', 'canStop']);
    for (const state of ['finished', 'stopped', 'failed'] as const)
      assert.deepEqual(enabled({ state }), ['canTrain', 'canEdit'], state);
  });

  it('never allows Train with invalid settings, while busy, or disconnected', () => {
    assert.equal(controlsFor({ ...base, configValid: false }).canTrain, false);
    assert.equal(controlsFor({ ...base, busy: true }).canTrain, false);
    assert.equal(controlsFor({ ...base, connected: false }).canTrain, false);
    assert.equal(controlsFor({ ...base, state: 'running', connected: false }).canStop, false);
  });

  it('lets Stop through while a pause or resume awaits its reply, but not twice', () => {
    assert.deepEqual(enabled({ state: 'running', busy: true }), ['canStop']);
    assert.deepEqual(enabled({ state: 'paused', busy: true }), ['canStop']);
    assert.deepEqual(enabled({ state: 'running', busy: true, stopping: true }), []);
    assert.deepEqual(enabled({ state: 'paused', stopping: true }), []);
  });

  it('locks Train and the fields while a started run has not reported yet', () => {
    const c = controlsFor({ ...base, awaitingRun: true });
    assert.equal(c.canTrain, false);
    assert.equal(c.canEdit, false);
  });
});

describe('progress', () => {
  it('is empty before a run', () => {
    const p = progressOf(initialView());
    assert.equal(p.runFraction, 0);
    assert.equal(p.phase, 'idle');
  });

  it('counts batches over the run and within the epoch', () => {
    let v = reduce(initialView(), started('r', { epochs: 2, batchesPerEpoch: 4 }));
    assert.equal(progressOf(v).phase, 'starting');
    v = reduce(v, batch('r', 2, 1, [1]));
    const p = progressOf(v);
    assert.equal(p.epoch, 2);
    assert.equal(p.batch, 1);
    assert.equal(p.epochFraction, 0.25);
    assert.equal(p.runFraction, 5 / 8);
    assert.equal(p.phase, 'training');
  });

  it('shows evaluation between the last batch and epoch-end', () => {
    let v = reduce(initialView(), started('r', { epochs: 2, batchesPerEpoch: 4 }));
    v = reduce(v, batch('r', 1, 1, [1, 1, 1, 1]));
    assert.equal(progressOf(v).phase, 'evaluating');
    v = reduce(v, epochEnd('r', 1, 0.9));
    assert.equal(progressOf(v).phase, 'training');
  });

  it('is full once finished', () => {
    const p = progressOf(reduceAll(fullRun()));
    assert.equal(p.runFraction, 1);
    assert.equal(p.epochFraction, 1);
    assert.equal(p.phase, 'ended');
  });
});

describe('formatting', () => {
  it('formats durations', () => {
    assert.equal(formatDuration(12.4), '12s');
    assert.equal(formatDuration(245), '4m 05s');
    assert.equal(formatDuration(3720), '1h 02m');
    assert.equal(formatDuration(NaN), '—');
  });

  it('counts with plural rules: 1 epoch, 0 and 2 epochs, grouped thousands', () => {
    assert.equal(plural(1, 'epoch'), '1 epoch');
    assert.equal(plural(0, 'complete epoch'), '0 complete epochs');
    assert.equal(plural(2, 'epoch'), '2 epochs');
    assert.equal(plural(60000, 'image'), '60\u202f000 images');
  });

  it('shows a probability the same way in the answer and on its bar, never rounding to 100%', () => {
    assert.equal(formatProbability(0.997), '99.7%');
    assert.equal(formatProbability(0.9996), '>99.9%');
    assert.equal(formatProbability(1), '100%');
    assert.equal(formatProbability(0.0004), '<0.1%');
    assert.equal(formatProbability(0), '0%');
    assert.equal(formatProbability(0.25), '25.0%');
  });

  it('formats percentages and losses', () => {
    assert.equal(formatPercent(0.98765), '98.77%');
    assert.equal(formatPercent(null), '—');
    assert.equal(formatLoss(0.0123456), '0.0123');
    assert.equal(formatLoss(NaN), 'NaN');
  });

  it('words the ETA by state', () => {
    let v = reduce(initialView(), started('r'));
    assert.equal(etaText(v), 'estimating…');
    v = reduce(v, batch('r', 1, 1, [1], { etaSec: 75 }));
    assert.equal(etaText(v), '1m 15s');
    assert.equal(etaText(reduce(v, { type: 'paused', runId: 'r' })), 'paused');
    assert.equal(etaText(reduceAll(fullRun())), 'done');
  });
});

describe('settings form', () => {
  it('parses the tutorial defaults back to the same config', () => {
    const p = parseDraft(draftFrom(DEFAULT_CONFIG));
    const { network, optimizer, ...numbers } = DEFAULT_CONFIG;
    assert.ok(network.layers.length === 7 && optimizer === 'adam'); // chosen apart from the form
    assert.deepEqual(p.config, numbers);
    assert.deepEqual(p.errors, {});
    assert.ok(isDefaultDraft(draftFrom(DEFAULT_CONFIG)));
  });

  it('reads grouped digits and scientific notation, and nothing as not a number', () => {
    assert.equal(parseNumber('60 000'), 60_000);
    assert.equal(parseNumber('60_000'), 60_000);
    assert.equal(parseNumber('1e-4'), 1e-4);
    assert.ok(Number.isNaN(parseNumber('')));
    assert.ok(Number.isNaN(parseNumber('  ')));
    assert.ok(Number.isNaN(parseNumber('ten')));
  });

  it('gives a reason per invalid field and no config to send', () => {
    const d = { ...draftFrom(DEFAULT_CONFIG), epochs: '0', learningRate: 'fast', batchSize: '2.5' };
    const p = parseDraft(d);
    assert.equal(p.config, null);
    assert.equal(p.errors.epochs, 'Epochs must be between 1 and 1000');
    assert.equal(p.errors.learningRate, 'Learning rate must be a number');
    assert.equal(p.errors.batchSize, 'Batch size must be a whole number');
    assert.equal(p.errors.seed, undefined);
    assert.equal(isDefaultDraft(d), false);
  });

  it('checks fields against each other', () => {
    const p = parseDraft({ ...draftFrom(DEFAULT_CONFIG), trainLimit: '40', batchSize: '50' });
    assert.match(p.errors.batchSize ?? '', /must not exceed the 40 training images/);
  });
});
