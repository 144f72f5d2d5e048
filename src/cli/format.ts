// Terminal formatting for the CLI: a one-line progress bar, durations, percentages.

export const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}%`;

/** "1 epoch", "3 epochs" (or another noun): never "1 epochs". */
export const epochs = (n: number, noun = 'epoch'): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

export function bar(fraction: number, width = 24): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}]`;
}

export interface ProgressFigures {
  epoch: number;
  epochs: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  accuracy: number;
  imagesPerSec: number;
  etaSec: number;
}

export function progressLine(f: ProgressFigures): string {
  return (
    `epoch ${f.epoch}/${f.epochs} ${bar(f.batch / f.batchesPerEpoch)} ${f.batch}/${f.batchesPerEpoch}` +
    `  loss ${f.loss.toFixed(4)}  acc ${pct(f.accuracy, 1)}  ${f.imagesPerSec.toFixed(0)} img/s` +
    `  ETA ${duration(f.etaSec)}`
  );
}
