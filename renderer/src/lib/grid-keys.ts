// Arrow-key movement in a grid of cells, as a pure function (tested under Node; the DOM part is
// roving.ts).

/** The index the key moves to in a grid of `count` cells, `columns` wide; null for other keys. */
export function nextIndex(
  key: string,
  index: number,
  count: number,
  columns: number,
): number | null {
  const last = count - 1;
  switch (key) {
    case 'ArrowRight':
      return Math.min(index + 1, last);
    case 'ArrowLeft':
      return Math.max(index - 1, 0);
    case 'ArrowDown':
      return index + columns <= last ? index + columns : index;
    case 'ArrowUp':
      return index - columns >= 0 ? index - columns : index;
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}
