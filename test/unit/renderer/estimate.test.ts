// The time estimate beside Train: from the engine's measured speed, or a recent run's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  QUICK_RUN,
  estimateSeconds,
  estimateText,
  roughDuration,
  speedFactor,
} from '../../../renderer/src/lib/state/estimate.ts';
import { presetById } from '../../../src/shared/network.ts';
import { DEFAULT_CONFIG } from '../../../src/shared/config.ts';
import { ENGINE } from './fixtures.ts';

const engine = { ...ENGINE, speed: { trainImagesPerSec: 250, testImagesPerSec: 2000 } };

describe('estimateSeconds', () => {
  it('adds the training images and each epoch’s test pass at the measured speeds', () => {
    // 10 × 60 000 / 250 + 10 × 10 000 / 2 000 = 2 400 + 50 s
    assert.equal(estimateSeconds(DEFAULT_CONFIG, engine), 2450);
    const quick = { ...DEFAULT_CONFIG, ...QUICK_RUN };
    assert.equal(estimateSeconds(quick, engine), 6000 / 250 + 10000 / 2000);
  });

  it('prefers a run seen on this engine at the same batch size and network, and only that', () => {
    const seen = {
      engine: engine.name,
      batchSize: 50,
      network: DEFAULT_CONFIG.network,
      imagesPerSec: 500,
    };
    assert.equal(estimateSeconds(DEFAULT_CONFIG, engine, seen), 1200 + 50);
    assert.equal(estimateSeconds({ ...DEFAULT_CONFIG, batchSize: 10 }, engine, seen), 2450);
    assert.equal(estimateSeconds(DEFAULT_CONFIG, engine, { ...seen, engine: 'native' }), 2450);
    const tiny = presetById('tiny-cnn')!.network;
    assert.equal(estimateSeconds(DEFAULT_CONFIG, engine, { ...seen, network: tiny }), 2450);
  });

  it('scales the measured speed by the network’s computation, at most 20×', () => {
    const tiny = { ...DEFAULT_CONFIG, network: presetById('tiny-cnn')!.network };
    const ratio = 2450 / estimateSeconds(tiny, engine)!;
    assert.ok(ratio > 1 && ratio <= 20, String(ratio));
    assert.equal(speedFactor(DEFAULT_CONFIG.network), 1);
    const nn = presetById('standard-nn')!.network;
    assert.equal(speedFactor(nn), 20, 'the plain network has ~1/100 of the FLOPs: capped');
  });

  it('says nothing until the engine has measured itself', () => {
    assert.equal(estimateSeconds(DEFAULT_CONFIG, ENGINE), null);
    assert.equal(estimateSeconds(DEFAULT_CONFIG, null), null);
  });
});

describe('estimateText', () => {
  it('rounds like an estimate', () => {
    assert.equal(roughDuration(12), 'about 10 s');
    assert.equal(roughDuration(2450), 'about 41 min');
    assert.equal(roughDuration(4830), 'about 1 h 20 min');
    assert.equal(roughDuration(7190), 'about 2 h');
  });

  it('says what it knows in each state', () => {
    assert.equal(estimateText(DEFAULT_CONFIG, engine), 'This run: about 41 min here.');
    assert.match(estimateText(DEFAULT_CONFIG, ENGINE), /Measuring/);
    assert.match(estimateText(DEFAULT_CONFIG, { ...ENGINE, name: 'cpu' }), /very slow/);
    assert.equal(estimateText(null, engine), '');
  });
});
