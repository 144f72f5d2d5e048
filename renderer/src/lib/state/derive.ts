// Pure functions from state to what the UI shows: progress, which buttons work, and number
// formatting. run.svelte.ts wraps each in $derived; tests call them directly.
import { isActive, type RunState, type RunView } from './reducer.ts';

export type Phase = 'idle' | 'starting' | 'training' | 'evaluating' | 'paused' | 'ended';

export interface Progress {
  /** 1-based epoch being trained (or last trained); 0 before the first batch. */
  epoch: number;
  epochs: number;
  /** Batches done within `epoch`. */
  batch: number;
  batchesPerEpoch: number;
  /** 0..1 over the whole run. */
  runFraction: number;
  /** 0..1 within the current epoch. */
  epochFraction: number;
  /** While the test set is evaluated: images done and their total; null otherwise. */
  testing: { done: number; total: number } | null;
  phase: Phase;
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

export function progressOf(v: RunView): Progress {
  const epochs = v.config?.epochs ?? 0;
  const bpe = v.batchesPerEpoch;
  const epoch = v.last?.epoch ?? 0;
  const batch = v.last?.batch ?? 0;
  const done = v.state === 'finished';
  const runFraction = done
    ? 1
    : epochs > 0 && bpe > 0
      ? clamp01(((epoch > 0 ? epoch - 1 : 0) * bpe + batch) / (epochs * bpe))
      : 0;
  const epochFraction = done ? 1 : bpe > 0 ? clamp01(batch / bpe) : 0;
  const evaluating =
    v.testing !== null ||
    (v.last !== null && batch >= bpe && bpe > 0 && !v.epochs.some((r) => r.epoch === epoch));
  const phase: Phase =
    v.state === 'idle' || v.state === 'failed' || v.state === 'stopped' || v.state === 'finished'
      ? v.state === 'idle'
        ? 'idle'
        : 'ended'
      : v.state === 'paused'
        ? 'paused'
        : v.last === null
          ? 'starting'
          : evaluating
            ? 'evaluating'
            : 'training';
  return {
    epoch: done ? Math.max(epoch, epochs) : epoch,
    epochs,
    batch: done ? bpe : batch,
    batchesPerEpoch: bpe,
    runFraction,
    epochFraction,
    testing: v.testing && { done: v.testing.done, total: v.testing.total },
    phase,
  };
}

export interface ControlsInput {
  state: RunState;
  connected: boolean;
  configValid: boolean;
  /** An invoke is in flight. */
  busy: boolean;
  /** A stop is in flight. Stop itself never waits for other requests: it is always safe. */
  stopping: boolean;
  /** Start was accepted but its run-started event has not arrived yet. */
  awaitingRun: boolean;
}

export interface Controls {
  canTrain: boolean;
  canPause: boolean;
  canResume: boolean;
  canStop: boolean;
  /** Settings are locked while a run is active. */
  canEdit: boolean;
}

export function controlsFor(i: ControlsInput): Controls {
  const ready = i.connected && !i.busy;
  const active = isActive(i.state) || i.awaitingRun;
  return {
    canTrain: ready && !active && i.configValid,
    canPause: ready && !i.stopping && i.state === 'running',
    canResume: ready && !i.stopping && i.state === 'paused',
    canStop: i.connected && !i.stopping && isActive(i.state),
    canEdit: !active,
  };
}

/** The latest test accuracy: the final one once finished, else the newest epoch's. */
export function latestTestAccuracy(v: RunView): number | null {
  return v.finalTestAccuracy ?? v.epochs.at(-1)?.testAccuracy ?? null;
}

// --- formatting ---------------------------------------------------------------------------------

const DASH = '—';

/** "12s", "4m 05s", "1h 02m": short enough for a narrow stat tile. */
export function formatDuration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec) || sec < 0) return DASH;
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** 0.98765 -> "98.77%". */
export function formatPercent(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return DASH;
  return `${(x * 100).toFixed(digits)}%`;
}

/**
 * A probability as the bars and the answer both show it, one decimal, so "99.7% sure" never sits
 * beside a bar labelled 100%: never "100%" or "0%" unless exactly so.
 */
export function formatProbability(p: number): string {
  if (!Number.isFinite(p)) return DASH;
  if (p >= 1) return '100%';
  if (p <= 0) return '0%';
  if (p >= 0.9995) return '>99.9%';
  if (p < 0.0005) return '<0.1%';
  return `${(p * 100).toFixed(1)}%`;
}

/** Loss with three significant digits; NaN stays visible because it means the run diverged. */
export function formatLoss(x: number | null | undefined): string {
  if (x === null || x === undefined) return DASH;
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  return x >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Thousands separated with a thin space, as the tutorial's "60 000". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return DASH;
  return grouped.format(n).replace(/,/g, '\u202f');
}

/** "1 epoch", "3 epochs", "60\u202f000 images": the count with the word in the right number. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}

export function formatRate(imagesPerSec: number | null | undefined): string {
  if (imagesPerSec === null || imagesPerSec === undefined || !Number.isFinite(imagesPerSec))
    return DASH;
  return `${formatCount(imagesPerSec)} img/s`;
}

/** What the ETA tile says in each phase. */
export function etaText(v: RunView): string {
  switch (v.state) {
    case 'idle':
      return DASH;
    case 'paused':
      return 'paused';
    case 'finished':
      return 'done';
    case 'stopped':
    case 'failed':
      return DASH;
    case 'running':
      if (v.last === null) return 'estimating…';
      // After the last epoch's batches only the test pass is left, which the ETA does not count.
      if (v.testing !== null && v.last.etaSec < 1) return 'testing…';
      return formatDuration(v.last.etaSec);
  }
}
