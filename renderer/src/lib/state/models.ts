// Pure helpers for the models panel: how a saved model and the checkpoint are described, and
// the name a new save suggests. No Svelte here, so plain Node tests cover it.
import {
  MODEL_NAME_MAX,
  sameModelName,
  type CheckpointInfo,
  type ExportResult,
  type ModelInfo,
} from '$shared/models.ts';
import { plural } from './derive.ts';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** "24 Nov 2026, 18:08" in the user's locale; "date unknown" when missing or invalid. */
/** Says where an export went: "Exported "digits" as an ONNX file: /home/me/digits.onnx." */
export function exportedText(what: string, r: ExportResult): string {
  return `Exported ${what} as ${r.format === 'onnx' ? 'an ONNX file' : 'a TensorFlow.js folder'}: ${r.path}.`;
}

export function formatDate(iso: string | null, locale?: string): string {
  if (iso === null) return 'date unknown';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'date unknown';
  return d.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** One line under a model's name: accuracy · epochs · engine · size. */
export function modelSummary(m: ModelInfo): string {
  const parts = [
    m.testAccuracy !== null ? `${pct(m.testAccuracy)} test` : null,
    m.epochsTrained !== null ? plural(m.epochsTrained, 'epoch') : null,
    m.engine,
    m.bytes > 0 ? formatBytes(m.bytes) : null,
  ];
  return parts.filter((p): p is string => p !== null && p !== '').join(' · ');
}

/**
 * What the checkpoint offers, as a sentence, or null when there is nothing to say. While a run is
 * active the checkpoint on disk is that run's own (or is about to be replaced by it), so the
 * sentence about "the last run" would be stale: nothing is said then.
 */
export function checkpointSummary(c: CheckpointInfo | null, runActive = false): string | null {
  if (c === null || runActive) return null;
  if (c.problem !== null) return `The last checkpoint cannot be used: ${c.problem}.`;
  if (c.config === null) return null;
  const total = c.config.epochs;
  const acc = c.testAccuracy !== null ? `, ${pct(c.testAccuracy)} test accuracy` : '';
  return c.resumable
    ? `An unfinished run was saved after ${c.epochsCompleted} of ${plural(total, 'epoch')}${acc}.`
    : total === 1
      ? `The last run completed its one epoch${acc}.`
      : `The last run completed all ${plural(total, 'epoch')}${acc}.`;
}

/** A free name like "digits (2)" for saving again without replacing. */
/** Names compare as the host compares them (sameModelName), within the host's length limit. */
export function freeName(base: string, taken: readonly string[], max = MODEL_NAME_MAX): string {
  const isTaken = (name: string): boolean => taken.some((t) => sameModelName(t, name));
  if (!isTaken(base)) return base;
  for (let i = 2; ; i++) {
    const suffix = ` (${i})`;
    const name = `${base.slice(0, max - suffix.length).trimEnd()}${suffix}`;
    if (!isTaken(name)) return name;
  }
}

/** A default name for saving the current model: "mnist 24 Nov 18-08" (no characters a disk refuses). */
export function suggestName(now: Date = new Date()): string {
  const month = now.toLocaleString('en', { month: 'short' });
  const hh = String(now.getHours()).padStart(2, '0');
  const mm = String(now.getMinutes()).padStart(2, '0');
  return `mnist ${now.getDate()} ${month} ${hh}-${mm}`;
}
