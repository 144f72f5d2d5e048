// Predict-as-you-draw without flooding the worker: one request in flight at a time, and the image is
// captured only when a request is about to go, so it is always the newest drawing and a fast pen
// never queues up stale work. Every drawing is first sent to model:predict (784 numbers out, 10
// back: the bars update within a few ms of the answer); at the end of a stroke, when nothing newer
// is waiting, the same drawing then goes to model:inspect for the feature maps (~38 000 numbers,
// too slow to hold the bars up for).
//
// No DOM and no Svelte: the drawing is read through `capture`, answers go to the callbacks.
import type { Result } from '$shared/contract.ts';
import type { ErrorEnvelope } from '$shared/errors.ts';
import type { Inspection, Prediction } from '$shared/worker-protocol.ts';

export interface PredictorOptions {
  /** The current drawing as the network's 784 inputs, or null when the pad is blank. */
  capture: () => Float32Array | null;
  predict: (pixels: Float32Array) => Promise<Result<Prediction>>;
  inspect: (pixels: Float32Array) => Promise<Result<Inspection>>;
  onResult: (answer: Answer) => void;
  /** The pad is blank: nothing was sent. */
  onBlank: () => void;
  onError: (error: ErrorEnvelope) => void;
  /** Nothing is pending or in flight any more: the answer on screen is for the current drawing. */
  onSettled?: () => void;
  /**
   * Minimum time between requests while a stroke goes on (default 0: as fast as answers come
   * back). Leaves the worker free most of the time, so a stroke's end rarely waits for an answer
   * about the half-drawn digit; the end of a stroke itself is never held back.
   */
  minIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface Answer {
  pixels: Float32Array;
  probabilities: number[];
  /** Present on the model:inspect answer that follows a stroke's model:predict answer. */
  inspection: Inspection | null;
  /** `request()`'s `since`, passed through (e.g. the end-of-stroke time, for latency). */
  since: number | null;
}

interface Want {
  maps: boolean;
  since: number | null;
}

export class Predictor {
  #want: Want | null = null;
  #busy = false;
  #generation = 0;
  #lastSent = -Infinity;
  /** Ends the throttle wait early (a stroke ended). */
  #wake: (() => void) | null = null;
  readonly #o: PredictorOptions;

  constructor(options: PredictorOptions) {
    this.#o = options;
  }

  /** The drawing changed: predict it soon. `maps` asks for feature maps; a later call may add it. */
  request(maps: boolean, since: number | null = null): void {
    const prev = this.#want;
    this.#want = {
      maps: maps || (prev?.maps ?? false),
      since: since ?? prev?.since ?? null,
    };
    if (maps) this.#wake?.();
    void this.#pump();
  }

  /** Forget pending work and ignore answers still on their way (the pad was cleared). */
  reset(): void {
    this.#want = null;
    this.#wake?.();
    this.#generation++;
  }

  get busy(): boolean {
    return this.#busy;
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    const now = this.#o.now ?? (() => performance.now());
    try {
      while (this.#want !== null) {
        const wait = (this.#o.minIntervalMs ?? 0) - (now() - this.#lastSent);
        if (wait > 0 && !this.#want.maps) {
          const sleep = this.#o.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
          await Promise.race([sleep(wait), new Promise<void>((r) => (this.#wake = r))]);
          this.#wake = null;
        }
        const want = this.#want;
        if (want === null) break;
        this.#want = null;
        const generation = this.#generation;
        const pixels = this.#o.capture();
        if (pixels === null) {
          this.#o.onBlank();
          continue;
        }
        this.#lastSent = now();
        const r = await this.#o.predict(pixels);
        if (generation !== this.#generation) continue; // cleared while it was on its way
        if (!r.ok) {
          this.#o.onError(r.error);
          continue;
        }
        this.#o.onResult({
          pixels,
          probabilities: r.value.probabilities,
          inspection: null,
          since: want.since,
        });
        // The maps, unless the drawing has already changed again (its own stroke end asks).
        if (!want.maps || this.#want !== null) continue;
        const m = await this.#o.inspect(pixels);
        if (generation !== this.#generation) continue;
        if (!m.ok) {
          this.#o.onError(m.error);
          continue;
        }
        this.#o.onResult({
          pixels,
          probabilities: m.value.probabilities,
          inspection: m.value,
          since: null,
        });
      }
    } finally {
      this.#busy = false;
    }
    this.#o.onSettled?.();
  }
}
