// The paired ratio is taken round by round, so a machine that slows down between rounds slows
// both sides of each ratio and the figure holds; a ratio of the two medians would not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairedRatio } from '../../../src/cli/bench-paired.ts';

test('each round is its own ratio and the figure is their median', () => {
  // The machine halves its speed after round 1 and recovers in round 3; ours is 1.5× throughout
  // except in round 2, where it was measured during a disturbance.
  const p = pairedRatio([600, 200, 630], [400, 200, 420]);
  assert.deepEqual(p.rounds, [1.5, 1, 1.5]);
  assert.equal(p.value, 1.5);
  assert.deepEqual(p.pytorch, [400, 200, 420]);
});

test('an even number of rounds takes the middle two', () => {
  assert.equal(pairedRatio([110, 130, 100, 300], [100, 100, 100, 100]).value, 1.2);
});

test('rounds that do not pair up are refused', () => {
  assert.throws(() => pairedRatio([1, 2], [1]), /paired rounds differ in length \(2 vs 1\)/);
  assert.throws(() => pairedRatio([], []), /no paired rounds were measured/);
});
