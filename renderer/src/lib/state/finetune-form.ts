// The fine-tune form as plain functions: its fields parsed with a reason per field, and the
// before/after figures of a fine-tune run as rows. Tested under Node.
import {
  FINETUNE_LIMITS,
  FINETUNE_MIN_DRAWINGS,
  HELD_OUT_EVERY,
  type FinetuneArg,
} from '$shared/finetune.ts';
import type { RunView } from './run-view.ts';

/** As the inputs hold them: text, or a number where a number input is bound (null when empty). */
export interface FinetuneFields {
  epochs: string | number | null;
  learningRate: string | number | null;
  freezeConv: boolean;
  mnistPerDrawing: string | number | null;
}

const text = (v: string | number | null): string => (v === null ? '' : String(v));

export type FinetuneParse =
  | { ok: true; arg: FinetuneArg }
  | { ok: false; errors: Partial<Record<'epochs' | 'learningRate' | 'mnistPerDrawing', string>> };

function whole(field: string | number | null, [min, max]: readonly [number, number], what: string) {
  const t = text(field);
  const n = Number(t);
  if (t.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    return { error: `${what} must be a whole number from ${min} to ${max}` };
  return { value: n };
}

export function parseFinetune(f: FinetuneFields): FinetuneParse {
  const epochs = whole(f.epochs, FINETUNE_LIMITS.epochs, 'Epochs');
  const mix = whole(f.mnistPerDrawing, FINETUNE_LIMITS.mnistPerDrawing, 'MNIST images per drawing');
  const lr = Number(text(f.learningRate));
  const [lo, hi] = FINETUNE_LIMITS.learningRate;
  const lrError =
    text(f.learningRate).trim() === '' || !Number.isFinite(lr) || lr < lo || lr > hi
      ? `Learning rate must be a number from ${lo} to ${hi}`
      : undefined;
  if ('error' in epochs || 'error' in mix || lrError)
    return {
      ok: false,
      errors: {
        ...('error' in epochs && { epochs: epochs.error }),
        ...('error' in mix && { mnistPerDrawing: mix.error }),
        ...(lrError && { learningRate: lrError }),
      },
    };
  return {
    ok: true,
    arg: {
      epochs: epochs.value,
      learningRate: lr,
      freezeConv: f.freezeConv,
      mnistPerDrawing: mix.value,
    },
  };
}

/** Drawings trained on and held out, for a set of `count`. */
export function splitCounts(count: number): { train: number; heldOut: number } {
  const heldOut = Math.floor(count / HELD_OUT_EVERY);
  return { train: count - heldOut, heldOut };
}

/** Why Fine-tune cannot start now, or null. */
export function finetuneBlocked(count: number, hasModel: boolean, busy: boolean): string | null {
  if (!hasModel) return 'Train or load a model first: fine-tuning starts from it.';
  if (busy) return 'A run is going: wait for it to end, or stop it.';
  if (count < FINETUNE_MIN_DRAWINGS)
    return `Add at least ${FINETUNE_MIN_DRAWINGS} drawings (you have ${count}): every fifth is kept aside to test on.`;
  return null;
}

export interface FigureRow {
  what: string;
  before: number;
  /** Null until the first epoch ends. */
  after: number | null;
}

/** Before and after (the latest epoch) of a fine-tune run's view, or null for another run. */
export function finetuneFigures(view: RunView, dataName: string): FigureRow[] | null {
  const f = view.finetune;
  if (f === null) return null;
  const last = f.handwriting.at(-1);
  return [
    {
      what: `Your ${f.heldOut} held-out drawings`,
      before: f.before.handwriting,
      after: last ? last.correct / last.count : null,
    },
    {
      what: `The ${dataName} test set (${view.testSize.toLocaleString('en-US')})`,
      before: f.before.test,
      after: view.epochs.at(-1)?.testAccuracy ?? null,
    },
  ];
}
