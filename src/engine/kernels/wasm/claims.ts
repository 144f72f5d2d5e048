// How the threads of one kernel call share its work: each claims a range at a time from a
// counter they share, so none waits at the end for a thread that started late or ran slower.

/**
 * Claims the next range of a job of `units` in blocks of `step` (a range starts at a multiple of
 * it) shared by `threads` threads, through the counter `next[0]` (the first unclaimed block): half
 * of what is left divided among the threads, at least one block (guided scheduling). So the first
 * ranges are long and the last short, and a thread that starts late or runs slow takes fewer.
 * Writes [first, end) in units to `range`; false once all are claimed. Self-contained: the helper
 * gets it as source text.
 */
export function claimRange(
  next: Int32Array,
  units: number,
  step: number,
  threads: number,
  range: Int32Array,
): boolean {
  const blocks = Math.ceil(units / step);
  for (;;) {
    const first = Atomics.load(next, 0);
    if (first >= blocks) return false;
    const end = Math.min(blocks, first + Math.max(1, Math.ceil((blocks - first) / (2 * threads))));
    if (Atomics.compareExchange(next, 0, first, end) === first) {
      range[0] = first * step;
      range[1] = Math.min(units, end * step);
      return true;
    }
  }
}

/**
 * The longest range of `units` (starting at multiples of `step`) one of `threads` threads gets:
 * its first claim (one thread runs all at once). What a buffer sized by the range must hold.
 */
export function longestRange(units: number, threads: number, step = 1): number {
  return threads === 1 ? units : Math.min(units, step * Math.ceil(units / step / (2 * threads)));
}
