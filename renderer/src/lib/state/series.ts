// The per-batch loss/accuracy series of one run, kept in typed buffers instead of arrays of objects.
//
// A run of the tutorial has 12 000 batches and events arrive ~8 times a second, so copying the
// whole series on every event would be wasteful. A `LossSeries` is an immutable *view*: a shared
// append-only store plus the length this view may read. Appending to the newest view writes into
// the shared store in place and returns a longer view; every older view still reads exactly the
// prefix it always did. Appending to an older view (a branch) copies the store first, so the
// reducer stays pure in every observable way. The view's `length` doubles as a version counter.

interface SeriesStore {
  /** Global 1-based batch index: (epoch - 1) * batchesPerEpoch + batchInEpoch. */
  index: Float64Array;
  loss: Float64Array;
  accuracy: Float64Array;
  /** Exponential moving average of `loss`, NaN-skipping, seeded with the first finite value. */
  smooth: Float64Array;
  /** How many entries have been written; only the newest view may append in place. */
  used: number;
}

export interface LossSeries {
  readonly store: SeriesStore;
  readonly length: number;
  /** EMA factor in [0, 1): 0 means no smoothing. */
  readonly smoothing: number;
}

const MIN_CAPACITY = 64;
/** Preallocate at most this many points; longer runs grow by doubling. */
const MAX_PREALLOCATE = 1 << 16;

function allocate(capacity: number): SeriesStore {
  return {
    index: new Float64Array(capacity),
    loss: new Float64Array(capacity),
    accuracy: new Float64Array(capacity),
    smooth: new Float64Array(capacity),
    used: 0,
  };
}

/** An EMA window that grows with the run (half its square root: 12 000 batches -> 50), 1..50. */
export function smoothingFor(totalBatches: number): number {
  const window = Math.min(50, Math.max(1, Math.round(Math.sqrt(Math.max(0, totalBatches)) / 2)));
  return 1 - 1 / window;
}

export function emptySeries(
  expectedPoints = 0,
  smoothing = smoothingFor(expectedPoints),
): LossSeries {
  const capacity = Math.min(MAX_PREALLOCATE, Math.max(MIN_CAPACITY, Math.ceil(expectedPoints)));
  return { store: allocate(capacity), length: 0, smoothing };
}

/** The index of the last point, or 0 when empty (batch indices start at 1). */
export function lastIndex(s: LossSeries): number {
  return s.length === 0 ? 0 : s.store.index[s.length - 1]!;
}

function ensureWritable(s: LossSeries, extra: number): SeriesStore {
  const needed = s.length + extra;
  const own = s.store.used === s.length;
  if (own && needed <= s.store.index.length) return s.store;
  const capacity = Math.max(needed, own ? s.store.index.length * 2 : s.length + extra);
  const next = allocate(Math.max(MIN_CAPACITY, capacity));
  next.index.set(s.store.index.subarray(0, s.length));
  next.loss.set(s.store.loss.subarray(0, s.length));
  next.accuracy.set(s.store.accuracy.subarray(0, s.length));
  next.smooth.set(s.store.smooth.subarray(0, s.length));
  next.used = s.length;
  return next;
}

/**
 * Appends consecutive batches starting at global index `firstIndex`. Entries whose index is not
 * after the last one already held are skipped, so replaying an overlapping event is harmless.
 * Returns `s` itself when nothing is new.
 */
export function appendBatches(
  s: LossSeries,
  firstIndex: number,
  losses: readonly number[],
  accuracies: readonly number[],
): LossSeries {
  const skip = Math.max(0, lastIndex(s) - firstIndex + 1);
  const count = losses.length - skip;
  if (count <= 0) return s;
  const store = ensureWritable(s, count);
  const beta = s.smoothing;
  let prev = s.length > 0 ? store.smooth[s.length - 1]! : NaN;
  for (let k = 0; k < count; k++) {
    const i = s.length + k;
    const x = losses[skip + k]!;
    const acc = accuracies[skip + k];
    store.index[i] = firstIndex + skip + k;
    store.loss[i] = x;
    store.accuracy[i] = acc ?? NaN;
    const smooth = !Number.isFinite(x)
      ? prev
      : Number.isNaN(prev)
        ? x
        : beta * prev + (1 - beta) * x;
    store.smooth[i] = smooth;
    prev = smooth;
  }
  store.used = s.length + count;
  return { store, length: s.length + count, smoothing: s.smoothing };
}

/** Plain arrays of a series, for tests and debugging. */
export function seriesToArrays(s: LossSeries): {
  index: number[];
  loss: number[];
  accuracy: number[];
  smooth: number[];
} {
  const take = (a: Float64Array): number[] => Array.from(a.subarray(0, s.length));
  return {
    index: take(s.store.index),
    loss: take(s.store.loss),
    accuracy: take(s.store.accuracy),
    smooth: take(s.store.smooth),
  };
}

/** The newest smoothed loss, or NaN when empty. */
export function latestSmooth(s: LossSeries): number {
  return s.length === 0 ? NaN : s.store.smooth[s.length - 1]!;
}

/** Mean accuracy over the newest `n` batches (finite values only), or NaN when there are none. */
export function recentAccuracy(s: LossSeries, n = 50): number {
  let sum = 0;
  let count = 0;
  for (let i = Math.max(0, s.length - n); i < s.length; i++) {
    const a = s.store.accuracy[i]!;
    if (Number.isFinite(a)) {
      sum += a;
      count++;
    }
  }
  return count === 0 ? NaN : sum / count;
}
