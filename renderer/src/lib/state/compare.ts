// What Compare draws of several runs: curves with x in epochs (so runs with different batch sizes
// line up), and the settings that differ between them. Pure functions, tested under plain Node.
import type { TrainingEvent } from '$shared/events.ts';
import { OPTIMIZER_LABELS, describeLayer } from '$shared/network.ts';
import { runName, type RunInfo } from '$shared/runs.ts';

export interface XY {
  x: number;
  y: number;
}

/** One run's line in a Compare chart. */
export interface Series {
  label: string;
  color: string;
  data: XY[];
}

export interface RunCurves {
  /** Training loss, averaged into at most `points` buckets; x = epochs trained (fractional). */
  loss: XY[];
  /** Test accuracy (%) after each epoch; x = epoch. */
  accuracy: XY[];
}

/** One colour per compared run: Okabe–Ito, distinguishable with the common colour blindnesses. */
export const RUN_COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9'];

export function curvesOf(events: readonly TrainingEvent[], points = 300): RunCurves {
  const raw: XY[] = [];
  const accuracy: XY[] = [];
  for (const e of events) {
    if (e.type === 'batch')
      e.losses.forEach((loss, i) => {
        if (Number.isFinite(loss))
          raw.push({ x: e.epoch - 1 + (e.firstBatch + i) / e.batchesPerEpoch, y: loss });
      });
    else if (e.type === 'epoch-end') accuracy.push({ x: e.epoch, y: e.testAccuracy * 100 });
  }
  raw.sort((a, b) => a.x - b.x);
  return { loss: bucketMeans(raw, points), accuracy: accuracy.sort((a, b) => a.x - b.x) };
}

/** Means of consecutive runs of points, so a 12 000-batch run draws as `points` points. */
function bucketMeans(xy: readonly XY[], points: number): XY[] {
  if (xy.length <= points) return [...xy];
  const out: XY[] = [];
  const size = xy.length / points;
  for (let b = 0; b < points; b++) {
    const from = Math.floor(b * size);
    const to = Math.floor((b + 1) * size);
    let sx = 0;
    let sy = 0;
    for (let i = from; i < to; i++) {
      sx += xy[i]!.x;
      sy += xy[i]!.y;
    }
    out.push({ x: sx / (to - from), y: sy / (to - from) });
  }
  return out;
}

export interface DiffRow {
  label: string;
  values: string[];
}

/** Every setting as Compare names it; `settingRows` keeps the ones that differ. */
function settings(run: RunInfo): [string, string][] {
  const c = run.config;
  return [
    ['Network', runName(c)],
    ['Layers', c.network.layers.map(describeLayer).join(' → ')],
    ['Optimizer', OPTIMIZER_LABELS[c.optimizer]],
    ['Learning rate', String(c.learningRate)],
    ['Batch size', String(c.batchSize)],
    ['Epochs', String(c.epochs)],
    ['Seed', String(c.seed)],
    ['Data', run.dataset],
    ['Training images', String(run.trainSize)],
    ['Test images', String(run.testSize)],
    ['Engine', `${run.engine}, ${run.threads} thread${run.threads === 1 ? '' : 's'}`],
  ];
}

/** Only the settings that differ between the runs, one value per run. */
export function settingRows(runs: readonly RunInfo[]): DiffRow[] {
  const all = runs.map(settings);
  const rows: DiffRow[] = [];
  for (const [i, [label]] of (all[0] ?? []).entries()) {
    const values = all.map((s) => s[i]![1]);
    if (new Set(values).size > 1) rows.push({ label, values });
  }
  return rows;
}
