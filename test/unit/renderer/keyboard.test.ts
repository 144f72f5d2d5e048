// Keyboard paths: Escape closes the innermost open thing first; a grid is one tab stop whose
// arrow keys move within it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeInnermost, onEscape } from '../../../renderer/src/lib/escape.ts';
import { nextIndex } from '../../../renderer/src/lib/grid-keys.ts';

describe('Escape', () => {
  it('closes the newest open thing first, one per press, then reports nothing open', () => {
    const closed: string[] = [];
    onEscape(() => closed.push('detail'));
    onEscape(() => closed.push('dialog'));
    assert.equal(closeInnermost(), true);
    assert.deepEqual(closed, ['dialog']);
    assert.equal(closeInnermost(), true);
    assert.deepEqual(closed, ['dialog', 'detail']);
    assert.equal(closeInnermost(), false); // now Escape may mean Stop
  });

  it('forgets a thing closed some other way (its Cancel button)', () => {
    const closed: string[] = [];
    const offOuter = onEscape(() => closed.push('outer'));
    const offInner = onEscape(() => closed.push('inner'));
    offInner();
    assert.equal(closeInnermost(), true);
    assert.deepEqual(closed, ['outer']);
    offOuter(); // already gone: harmless
    assert.equal(closeInnermost(), false);
  });
});

describe('roving grid', () => {
  it('moves by one with left/right and by a row with up/down, never out of the grid', () => {
    assert.equal(nextIndex('ArrowRight', 0, 64, 8), 1);
    assert.equal(nextIndex('ArrowRight', 63, 64, 8), 63);
    assert.equal(nextIndex('ArrowLeft', 0, 64, 8), 0);
    assert.equal(nextIndex('ArrowDown', 3, 64, 8), 11);
    assert.equal(nextIndex('ArrowDown', 59, 64, 8), 59);
    assert.equal(nextIndex('ArrowUp', 11, 64, 8), 3);
    assert.equal(nextIndex('ArrowUp', 3, 64, 8), 3);
    assert.equal(nextIndex('Home', 42, 100, 10), 0);
    assert.equal(nextIndex('End', 42, 100, 10), 99);
  });

  it('leaves every other key alone (Tab leaves the grid, Enter presses the cell)', () => {
    for (const key of ['Tab', 'Enter', ' ', 'a', 'Escape'])
      assert.equal(nextIndex(key, 5, 64, 8), null);
  });
});
