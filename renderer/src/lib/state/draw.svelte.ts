// What the network says about the Draw tab's image: the probabilities (model:predict while a
// stroke goes on), the feature maps (model:inspect when it ends), the latency, and whether an
// answer is still coming. At most one request is in flight (lib/digit/predictor.ts); `capture`
// gives the 28×28 pixels to ask about at the moment the request is sent.
import { tick } from 'svelte';
import type { StudioApi } from '$shared/contract.ts';
import type { ErrorEnvelope } from '$shared/errors.ts';
import type { FeatureMaps } from '$shared/worker-protocol.ts';
import { Predictor } from '../digit/predictor.ts';

export class DrawState {
  /** The pixels the network was last asked about. */
  input: Float32Array | null = $state.raw(null);
  probabilities: number[] | null = $state.raw(null);
  maps: readonly FeatureMaps[] | null = $state.raw(null);
  error: ErrorEnvelope | null = $state.raw(null);
  /** Nothing on the pad. */
  blank = $state(true);
  latencyMs: number | null = $state(null);
  /** No request pending or in flight (tests wait on it). */
  settled = $state(true);

  readonly #predictor: Predictor;

  /** `api` is read at each request (a component's prop may be replaced). */
  constructor(api: () => Pick<StudioApi, 'invoke'>, capture: () => Float32Array | null) {
    this.#predictor = new Predictor({
      capture: () => (this.input = capture()),
      predict: (x) => timed('cnn:predict-roundtrip', api().invoke('model:predict', x)),
      inspect: (x) => timed('cnn:inspect-roundtrip', api().invoke('model:inspect', x)),
      onBlank: () => this.#forget(),
      onError: (e) => {
        this.#forget();
        this.error = e;
      },
      onSettled: () => (this.settled = true),
      minIntervalMs: 50, // ~20 answers a second while drawing is plenty
      onResult: (a) => {
        this.error = null;
        this.probabilities = a.probabilities;
        if (a.inspection) this.maps = a.inspection.maps;
        if (a.since !== null) void this.#measure(a.since);
      },
    });
  }

  /** Asks about what is on the pad now: with feature maps (`maps`) when a stroke has ended. */
  ask(maps: boolean, since: number | null = null): void {
    this.blank = false;
    this.settled = false;
    this.#predictor.request(maps, since);
  }

  /** The pad was cleared: no question, no answer. */
  clear(): void {
    this.#predictor.reset();
    this.blank = true;
    this.input = null;
    this.latencyMs = null;
    this.#forget();
  }

  dispose(): void {
    this.#predictor.reset();
  }

  #forget(): void {
    this.probabilities = null;
    this.maps = null;
    this.error = null;
  }

  /** Stroke end -> bars in the DOM (after Svelte's update), and -> the next painted frame. */
  async #measure(since: number): Promise<void> {
    await tick();
    const done = performance.now();
    this.latencyMs = done - since;
    performance.measure('cnn:draw-to-bars', { start: since, end: done });
    requestAnimationFrame(() =>
      performance.measure('cnn:draw-to-paint', { start: since, end: performance.now() }),
    );
  }
}

/** Records how long a request took, as a performance measure (see the e2e latency report). */
async function timed<T>(name: string, request: Promise<T>): Promise<T> {
  const start = performance.now();
  const answer = await request;
  performance.measure(name, { start, end: performance.now() });
  return answer;
}
