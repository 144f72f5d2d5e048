// The CLI's words for counts: "Finished 1 epochs" was a bug.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochs } from '../../../src/cli/format.ts';

test('counts take the singular for one and the plural otherwise', () => {
  assert.equal(epochs(1), '1 epoch');
  assert.equal(epochs(0, 'complete epoch'), '0 complete epochs');
  assert.equal(epochs(10), '10 epochs');
});
