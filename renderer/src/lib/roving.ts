// A grid of many buttons (64 filters, 100 confusion cells) is one tab stop: the arrow keys move
// within it (WAI-ARIA's roving tabindex), so a keyboard user is not made to tab through them all.

import { nextIndex } from './grid-keys.ts';

/**
 * `{@attach roving(8, () => cursor, (i) => (cursor = i))}` on the grid: the arrow keys move the
 * cursor among its `[data-cell]` children (in order) and focus the new cell.
 */
export function roving(
  columns: number,
  current: () => number,
  move: (index: number) => void,
): (grid: HTMLElement) => () => void {
  return (grid) => {
    const onKeydown = (e: KeyboardEvent): void => {
      const cells = grid.querySelectorAll<HTMLElement>('[data-cell]');
      const next = nextIndex(e.key, current(), cells.length, columns);
      if (next === null) return;
      e.preventDefault();
      move(next);
      cells[next]?.focus();
    };
    grid.addEventListener('keydown', onKeydown);
    return () => grid.removeEventListener('keydown', onKeydown);
  };
}
