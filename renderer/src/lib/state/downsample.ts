// The loss chart's points: a LossSeries reduced to a fixed budget of buckets, kept up to date
// incrementally.
//
// Chart.js's cost per update grows with the points it is given (elements, scale ranges, and its
// decimation plugin walks them all), and a run of the tutorial has 12 000 batches. So the chart
// gets one bucket per run of consecutive batches, drawn as the bucket's lowest and highest loss
// in x order (a spike stays visible) and its newest smoothed loss (that line is smooth already;
// its very first point is kept too, so it starts where the run did). Buckets cover aligned runs
// of `width` batches, width a power of two: when a batch would open one bucket more than the
// budget, neighbours merge pairwise and the width doubles. An append touches only the newest
// bucket, so an update costs O(new points) amortised, and the result is exactly the same however
// the series arrived.

import type { LossSeries } from './series.ts';

/** A point as Chart.js takes it with `parsing: false`. */
export interface XY {
  x: number;
  y: number;
}

export interface DownsampleOptions {
  /**
   * The most buckets kept (even, ≥ 2): at most 2 loss points and 1 smoothed point each, plus the
   * first smoothed point.
   */
  budget: number;
  /** Leave out values ≤ 0, which a log axis cannot show. */
  log: boolean;
  /** x = batch index / xPer (batchesPerEpoch puts x in epochs). */
  xPer: number;
}

export class LossDownsampler {
  /** Loss points, min and max of each bucket in x order. Changed in place with splice only. */
  readonly raw: XY[] = [];
  /** The first smoothed point, then the newest of each bucket. Changed in place with splice only. */
  readonly smooth: XY[] = [];
  /** Batches per bucket. */
  get width(): number {
    return this.w;
  }
  /** Buckets in use, ≤ budget. */
  get buckets(): number {
    return this.count;
  }

  private readonly budget: number;
  private readonly log: boolean;
  private readonly xPer: number;
  // Per bucket: batch index and value of its min, max and newest smoothed point (index NaN: none).
  private readonly minI: Float64Array;
  private readonly minY: Float64Array;
  private readonly maxI: Float64Array;
  private readonly maxY: Float64Array;
  private readonly smI: Float64Array;
  private readonly smY: Float64Array;
  /** Series position of the first kept smoothed value (NaN: none yet), its index and value. */
  private firstP = NaN;
  private firstI = NaN;
  private firstY = NaN;
  private w = 1;
  private count = 0;
  private store: unknown = null;
  private seen = 0;
  /** Output lengths of every bucket but the newest, which is the only one still changing. */
  private rawDone = 0;
  private smoothDone = 0;
  private merged = false;

  constructor(o: DownsampleOptions) {
    if (!(o.budget >= 2 && o.budget % 2 === 0)) throw new Error(`bad budget ${o.budget}`);
    this.budget = o.budget;
    this.log = o.log;
    this.xPer = o.xPer;
    const n = o.budget;
    this.minI = new Float64Array(n);
    this.minY = new Float64Array(n);
    this.maxI = new Float64Array(n);
    this.maxY = new Float64Array(n);
    this.smI = new Float64Array(n);
    this.smY = new Float64Array(n);
  }

  /**
   * Brings `raw` and `smooth` up to date with `s`. A series that restarted (another store, or
   * shorter than last time) is rebuilt from scratch. Returns whether the points changed.
   */
  update(s: LossSeries): boolean {
    const restarted = s.store !== this.store || s.length < this.seen;
    if (restarted) this.restart(s.store);
    if (s.length === this.seen) return restarted;
    const before = this.count;
    this.merged = false;
    const { index, loss, smooth } = s.store;
    for (let p = this.seen; p < s.length; p++) this.add(p, index[p]!, loss[p]!, smooth[p]!);
    this.seen = s.length;
    // Every bucket from the one that was newest onwards may have changed; a merge changed all.
    const from = this.merged ? 0 : Math.max(0, before - 1);
    const rawStart = from === 0 ? 0 : this.rawDone;
    const smoothStart = from === 0 ? 0 : this.smoothDone;
    const raw: XY[] = [];
    const sm: XY[] = [];
    for (let k = from; k < this.count; k++) {
      this.emit(k, raw, sm);
      if (k === this.count - 2) {
        this.rawDone = rawStart + raw.length;
        this.smoothDone = smoothStart + sm.length;
      }
    }
    if (this.count === 1) this.rawDone = this.smoothDone = 0;
    // One splice per array: a consumer that watches the array (Chart.js does) sees the change.
    this.raw.splice(rawStart, this.raw.length - rawStart, ...raw);
    this.smooth.splice(smoothStart, this.smooth.length - smoothStart, ...sm);
    return true;
  }

  private restart(store: unknown): void {
    this.store = store;
    this.seen = 0;
    this.w = 1;
    this.count = 0;
    this.firstP = this.firstI = this.firstY = NaN;
    this.rawDone = this.smoothDone = 0;
    this.raw.splice(0, this.raw.length);
    this.smooth.splice(0, this.smooth.length);
  }

  private keep(y: number): boolean {
    return Number.isFinite(y) && (!this.log || y > 0);
  }

  /** Adds the batch at series position `p` to its bucket, merging first if it needs one more. */
  private add(p: number, i: number, y: number, sm: number): void {
    let k = Math.floor(p / this.w);
    if (k >= this.budget) {
      this.halve();
      k = Math.floor(p / this.w);
    }
    if (k >= this.count) {
      this.count = k + 1;
      this.minI[k] = this.maxI[k] = this.smI[k] = NaN;
    }
    if (this.keep(y)) {
      // Strict comparisons keep the earliest of equal values, as a merge does.
      if (Number.isNaN(this.minI[k]!) || y < this.minY[k]!) {
        this.minI[k] = i;
        this.minY[k] = y;
      }
      if (Number.isNaN(this.maxI[k]!) || y > this.maxY[k]!) {
        this.maxI[k] = i;
        this.maxY[k] = y;
      }
    }
    if (this.keep(sm)) {
      if (Number.isNaN(this.firstP)) {
        this.firstP = p;
        this.firstI = i;
        this.firstY = sm;
      }
      this.smI[k] = i;
      this.smY[k] = sm;
    }
  }

  /** Appends bucket k's points: min and max in x order (one if the same batch), newest smoothed. */
  private emit(k: number, raw: XY[], sm: XY[]): void {
    const per = this.xPer;
    const lo = this.minI[k]!;
    const hi = this.maxI[k]!;
    if (!Number.isNaN(lo)) {
      const min = { x: lo / per, y: this.minY[k]! };
      const max = { x: hi / per, y: this.maxY[k]! };
      if (lo === hi) raw.push(min);
      else if (lo < hi) raw.push(min, max);
      else raw.push(max, min);
    }
    const si = this.smI[k]!;
    // The first smoothed point belongs to the bucket it falls in, however the series arrived.
    if (Math.floor(this.firstP / this.w) === k && this.firstI !== si)
      sm.push({ x: this.firstI / per, y: this.firstY });
    if (!Number.isNaN(si)) sm.push({ x: si / per, y: this.smY[k]! });
  }

  /** Merges buckets 2k and 2k+1 into k and doubles the width. */
  private halve(): void {
    const { minI, minY, maxI, maxY, smI, smY } = this;
    for (let k = 0; 2 * k < this.count; k++) {
      const a = 2 * k;
      const b = a + 1;
      minI[k] = minI[a]!;
      minY[k] = minY[a]!;
      maxI[k] = maxI[a]!;
      maxY[k] = maxY[a]!;
      smI[k] = smI[a]!;
      smY[k] = smY[a]!;
      if (b >= this.count) continue;
      if (!Number.isNaN(minI[b]!) && (Number.isNaN(minI[k]!) || minY[b]! < minY[k]!)) {
        minI[k] = minI[b]!;
        minY[k] = minY[b]!;
      }
      if (!Number.isNaN(maxI[b]!) && (Number.isNaN(maxI[k]!) || maxY[b]! > maxY[k]!)) {
        maxI[k] = maxI[b]!;
        maxY[k] = maxY[b]!;
      }
      if (!Number.isNaN(smI[b]!)) {
        smI[k] = smI[b]!;
        smY[k] = smY[b]!;
      }
    }
    this.count = Math.ceil(this.count / 2);
    this.w *= 2;
    this.merged = true;
  }
}
