// Fine-tuning on "My handwriting": the current model trained further on the learner's drawings,
// optionally with its convolutions frozen and MNIST images mixed in to limit forgetting, as a new
// run. Every HELD_OUT_EVERY-th drawing is held out (tested, never trained on), so the before and
// after figures (accuracy on held-out drawings and on the test set) measure personalisation and
// forgetting side by side. Plain data and guards only.
import { HANDWRITING_MAX } from './handwriting.ts';
import { bool, int, num, object, type Guard } from './guard.ts';

/** Drawings 5, 10, 15, … (every fifth) are held out. */
export const HELD_OUT_EVERY = 5;
/** Fewer drawings than this leave too few to train on and to test with. */
export const FINETUNE_MIN_DRAWINGS = 10;

export const FINETUNE_LIMITS = Object.freeze({
  epochs: [1, 50],
  learningRate: [1e-6, 1],
  mnistPerDrawing: [0, 20],
} as const);

/** What the learner chooses. */
export interface FinetuneArg {
  epochs: number;
  learningRate: number;
  /** The convolution layers keep their weights: only the dense layers learn. */
  freezeConv: boolean;
  /** MNIST training images mixed in per drawing of yours (0: yours only). */
  mnistPerDrawing: number;
}

export const FINETUNE_DEFAULTS: Readonly<Omit<FinetuneArg, 'learningRate'>> = Object.freeze({
  epochs: 10,
  freezeConv: true,
  mnistPerDrawing: 4,
});

/** Accuracy on the held-out drawings and on the test set. */
export interface FinetuneFigures {
  handwriting: number;
  test: number;
}

/** A fine-tune run's start: what it trains on and the figures before it (carried by run-started). */
export interface FinetuneStart {
  freezeConv: boolean;
  mnistPerDrawing: number;
  /** Drawings trained on, drawings held out, MNIST images mixed in. */
  drawings: number;
  heldOut: number;
  mnistImages: number;
  before: FinetuneFigures;
}

/** The held-out drawings' indices in a set of `count` (every fifth: 4, 9, 14, …). */
export const isHeldOut = (index: number): boolean => index % HELD_OUT_EVERY === HELD_OUT_EVERY - 1;

const fraction = num(0, 1);

export const finetuneArg: Guard<FinetuneArg> = object({
  epochs: int(...FINETUNE_LIMITS.epochs),
  learningRate: num(...FINETUNE_LIMITS.learningRate),
  freezeConv: bool,
  mnistPerDrawing: int(...FINETUNE_LIMITS.mnistPerDrawing),
});

/** FinetuneStart's fields, for the guards of what carries one (run-started, a kept run). */
export const finetuneStartFields = {
  freezeConv: bool,
  mnistPerDrawing: int(...FINETUNE_LIMITS.mnistPerDrawing),
  drawings: int(1, HANDWRITING_MAX),
  heldOut: int(1, HANDWRITING_MAX),
  mnistImages: int(0, HANDWRITING_MAX * FINETUNE_LIMITS.mnistPerDrawing[1]),
  before: object({ handwriting: fraction, test: fraction }),
};

export const finetuneStart: Guard<FinetuneStart> = object(finetuneStartFields);
