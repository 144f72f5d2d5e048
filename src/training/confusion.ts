// Tallies a test pass into a 10×10 confusion matrix, a few sample indices per cell, and the most
// confidently wrong images. Fed chunk by chunk from evaluate() with each image's argmax and top
// probability (downloaded instead of the full logits); plain arrays, no TensorFlow.
import type { MnistSplit } from '../data/mnist.ts';
import { CELL_SAMPLES, WORST_WRONG, type Misclassified } from '../shared/events.ts';
import { IMAGE_PIXELS, NUM_CLASSES } from '../shared/dataset.ts';

const CLASSES = NUM_CLASSES;
const PIXELS = IMAGE_PIXELS;

export interface Confusion {
  /** Test images tallied: the sum of `matrix`. */
  count: number;
  /** matrix[label * 10 + predicted]. */
  matrix: number[];
  /** Per cell, the first `cellSamples` test-set indices that landed there. */
  samples: number[][];
  /** Every tallied index, grouped by cell in cell order (see the evaluation event). */
  cells: number[];
  /** The most confident mistakes, most confident first (ties: lower index first). */
  wrong: Misclassified[];
}

type Miss = { index: number; label: number; predicted: number; confidence: number };

export class ConfusionTally {
  private readonly matrix = new Array<number>(CLASSES * CLASSES).fill(0);
  private readonly samples: number[][] = Array.from({ length: CLASSES * CLASSES }, () => []);
  private misses: Miss[] = [];
  private count = 0;
  /** Each tallied image's index and cell, in the order added. */
  private indices: number[] = [];
  private cellOf: number[] = [];

  constructor(
    private readonly split: MnistSplit,
    private readonly worst = WORST_WRONG,
    private readonly cellSamples = CELL_SAMPLES,
  ) {}

  /** Images start..start+predicted.length of the split, with their argmax and top probability. */
  add(start: number, predicted: ArrayLike<number>, confidence: ArrayLike<number>): void {
    for (let k = 0; k < predicted.length; k++) {
      const index = start + k;
      const label = this.split.labels[index]!;
      const p = predicted[k]!;
      const cell = label * CLASSES + p;
      this.matrix[cell]!++;
      this.count++;
      this.indices.push(index);
      this.cellOf.push(cell);
      const kept = this.samples[cell]!;
      if (kept.length < this.cellSamples) kept.push(index);
      if (p !== label) this.misses.push({ index, label, predicted: p, confidence: confidence[k]! });
    }
    // Bounded memory on a bad model (every image wrong): keep a few times what is reported.
    if (this.misses.length > 8 * this.worst + 1000) this.misses = this.top();
  }

  /** Correct predictions so far (the matrix diagonal). */
  correct(): number {
    let c = 0;
    for (let i = 0; i < CLASSES; i++) c += this.matrix[i * CLASSES + i]!;
    return c;
  }

  result(): Confusion {
    const wrong = this.top().map((m) => ({
      ...m,
      // slice, not subarray: a copy of this image alone, not a view that drags the whole split
      // (47 MB) through postMessage.
      pixels: this.split.images.slice(m.index * PIXELS, (m.index + 1) * PIXELS),
    }));
    return {
      count: this.count,
      matrix: [...this.matrix],
      samples: this.samples.map((s) => [...s]),
      cells: this.grouped(),
      wrong,
    };
  }

  /** A counting sort of the indices by cell: each cell's group starts where the cells before end. */
  private grouped(): number[] {
    const starts = new Array<number>(CLASSES * CLASSES).fill(0);
    for (let c = 1; c < starts.length; c++) starts[c] = starts[c - 1]! + this.matrix[c - 1]!;
    const out = new Array<number>(this.count);
    this.cellOf.forEach((cell, k) => (out[starts[cell]!++] = this.indices[k]!));
    return out;
  }

  private top(): Miss[] {
    return [...this.misses]
      .sort((a, b) => b.confidence - a.confidence || a.index - b.index)
      .slice(0, this.worst);
  }
}
