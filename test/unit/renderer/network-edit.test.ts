// Editing the layer strip: the output layer stays last and fixed, moves stop at the ends, typed
// values go through the same guard a training request does, and checkNetwork marks the layer an
// edit broke.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  insertLayer,
  moveLayer,
  removeLayer,
  setField,
} from '../../../renderer/src/lib/state/network-edit.ts';
import { DATASET } from '../../../src/shared/dataset.ts';
import { describeLayer, tutorialNetwork } from '../../../src/shared/network.ts';
import { checkNetwork } from '../../../src/shared/network-shapes.ts';

const tutorial = tutorialNetwork();
const kinds = (s: { layers: { kind: string }[] }): string => s.layers.map((l) => l.kind).join(' ');

describe('editing a network', () => {
  it('adds before the output layer at the latest, and the output stays last', () => {
    const added = insertLayer(tutorial, 99, 'dropout');
    assert.equal(kinds(added), 'conv maxpool conv maxpool flatten dense dropout dense');
    const first = insertLayer(tutorial, 0, 'conv');
    assert.equal(first.layers[0]!.kind, 'conv');
    assert.equal(first.layers.length, 8);
    assert.ok(checkNetwork(first, DATASET).ok);
  });

  it('removes and moves any layer but the output', () => {
    assert.equal(removeLayer(tutorial, 6), tutorial, 'the output layer stays');
    assert.equal(kinds(removeLayer(tutorial, 1)), 'conv conv maxpool flatten dense dense');
    assert.equal(moveLayer(tutorial, 5, 1), tutorial, 'nothing moves past the output');
    assert.equal(moveLayer(tutorial, 0, -1), tutorial);
    assert.equal(kinds(moveLayer(tutorial, 0, 1)), 'maxpool conv conv maxpool flatten dense dense');
    assert.equal(tutorial.layers.length, 7, 'the original is never changed');
  });

  it('typed values are checked by the guard training uses, in words', () => {
    const r = setField(tutorial, 0, 'filters', '8');
    assert.ok(r.ok);
    assert.equal(describeLayer(r.spec.layers[0]!), 'conv 5×5×8, stride 1, same, relu');
    const tooMany = setField(tutorial, 0, 'filters', '999');
    assert.deepEqual(tooMany, { ok: false, reason: 'Filters must be between 1 and 256.' });
    assert.deepEqual(setField(tutorial, 0, 'kernel', ''), {
      ok: false,
      reason: 'Kernel size must be a number.',
    });
    assert.equal(setField(tutorial, 0, 'stride', '1.5').ok, false);
    assert.equal(setField(tutorial, 0, 'padding', 'circular').ok, false);
    assert.equal(setField(tutorial, 6, 'units', '5').ok, false, 'the output layer is fixed');
  });

  it('an edit that cannot train is marked on the layer it broke', () => {
    // A VALID 8×8 window on pool2's 7×7 map: the shape reaches 0.
    const big = setField(insertLayer(tutorial, 4, 'maxpool'), 4, 'size', '8');
    assert.ok(big.ok);
    const valid = setField(big.spec, 4, 'padding', 'valid');
    assert.ok(valid.ok);
    const check = checkNetwork(valid.spec, DATASET);
    assert.equal(check.ok, false);
    if (!check.ok) {
      assert.equal(check.index, 4);
      assert.match(check.reason, /^Layer 5 \(max pool 8×8/);
    }
  });
});
