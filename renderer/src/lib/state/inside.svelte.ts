// The Inside view's state: the image it looks at, every layer's output for it (model:inside),
// the stage and pixel the learner chose, and for a convolution the worked sum at that pixel
// (model:worked). An answer to an older question is dropped; a new network keeps the choice only
// where it still fits.
import type { StudioApi } from '$shared/contract.ts';
import type { ErrorEnvelope } from '$shared/errors.ts';
import type { InsideView, WorkedConvolution } from '$shared/worker-protocol.ts';

/** A chosen output pixel: stage (layer index), channel, row, column. */
export interface Chosen {
  stage: number;
  channel: number;
  y: number;
  x: number;
}

/** Height, width and channels of an image-shaped stage; null for a vector. */
export function gridOf(shape: readonly number[]): { h: number; w: number; c: number } | null {
  return shape.length === 3 ? { h: shape[0]!, w: shape[1]!, c: shape[2]! } : null;
}

/** The first stage worth opening: the first convolution, else the first layer. */
function firstStage(view: InsideView): number {
  return Math.max(
    0,
    view.network.layers.findIndex((l) => l.kind === 'conv'),
  );
}

/** The brightest pixel of the stage's first channel (something happens there), or 0 for a vector. */
export function brightestOf(view: InsideView, stage: number): Chosen {
  const s = view.stages[stage]!;
  const g = gridOf(s.shape);
  if (!g) return { stage, channel: 0, y: 0, x: 0 };
  const shown = s.values.length / (g.h * g.w);
  let best = 0;
  for (let p = 1; p < g.h * g.w; p++) if (s.values[p * shown]! > s.values[best * shown]!) best = p;
  return { stage, channel: 0, y: Math.floor(best / g.w), x: best % g.w };
}

export class InsideState {
  view: InsideView | null = $state.raw(null);
  /** The pixels `view` is of. */
  image: Float32Array | null = $state.raw(null);
  chosen: Chosen | null = $state.raw(null);
  worked: WorkedConvolution | null = $state.raw(null);
  /** The pixel `worked` is of (the chosen one may be newer while its numbers are on the way). */
  workedAt: Chosen | null = $state.raw(null);
  error: ErrorEnvelope | null = $state.raw(null);

  #asked = 0;
  #askedWorked = 0;
  readonly #api: () => Pick<StudioApi, 'invoke'>;

  constructor(api: () => Pick<StudioApi, 'invoke'>) {
    this.#api = api;
  }

  /** Asks for every layer's output for `image` (again after new weights). */
  async ask(image: Float32Array): Promise<void> {
    const question = ++this.#asked;
    const r = await this.#api().invoke('model:inside', image);
    if (question !== this.#asked) return;
    if (!r.ok) {
      // No view of weights that could not be asked about (no model any more, a failed run).
      [this.view, this.chosen, this.worked, this.error] = [null, null, null, r.error];
      this.#askedWorked++;
      return;
    }
    const view = r.value;
    const keep = this.chosen && this.#fits(view, this.chosen) ? this.chosen : null;
    [this.view, this.image, this.error] = [view, image, null];
    this.#choose(keep ?? brightestOf(view, firstStage(view)));
  }

  /** Opens a stage at its brightest pixel (or keeps the pixel when the stage is the same). */
  openStage(stage: number): void {
    if (!this.view || this.chosen?.stage === stage) return;
    this.#choose(brightestOf(this.view, stage));
  }

  /** Chooses a pixel of a channel of the open stage. */
  choose(channel: number, y: number, x: number): void {
    if (!this.view || !this.chosen) return;
    const next = { stage: this.chosen.stage, channel, y, x };
    if (this.#fits(this.view, next)) this.#choose(next);
  }

  forget(): void {
    this.#asked++;
    this.#askedWorked++;
    [this.view, this.image, this.chosen, this.worked, this.error] = [null, null, null, null, null];
  }

  #fits(view: InsideView, c: Chosen): boolean {
    const stage = view.stages[c.stage];
    if (!stage) return false;
    const g = gridOf(stage.shape);
    if (!g) return c.y === 0 && c.x === 0;
    return c.y < g.h && c.x < g.w && c.channel < Math.min(g.c, stage.values.length / (g.h * g.w));
  }

  #choose(c: Chosen): void {
    this.chosen = c;
    const layer = this.view?.network.layers[c.stage];
    const image = this.image;
    if (layer?.kind !== 'conv' || !image) {
      this.#askedWorked++;
      this.worked = null;
      return;
    }
    void this.#work(image, c);
  }

  async #work(pixels: Float32Array, c: Chosen): Promise<void> {
    const question = ++this.#askedWorked;
    const r = await this.#api().invoke('model:worked', {
      pixels,
      layer: c.stage,
      y: c.y,
      x: c.x,
      filter: c.channel,
    });
    if (question !== this.#askedWorked) return;
    if (r.ok) [this.worked, this.workedAt] = [r.value, c];
    else [this.worked, this.error] = [null, r.error];
  }
}
