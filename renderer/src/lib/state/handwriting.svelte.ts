// "My handwriting" as the window sees it: the learner's labelled drawings (kept by the worker as
// IDX files), adding, relabelling and deleting them, and the current model's test on them. A
// test belongs to the set and the model it was made with: any change to either drops it.
import type { ErrorEnvelope } from '$shared/errors.ts';
import type { HandwritingEdit, HandwritingSet, HandwritingTest } from '$shared/handwriting.ts';
import { onConnect, type StudioClient } from '../client.ts';

export class HandwritingState {
  set: HandwritingSet | null = $state.raw(null);
  /** The last test, for `testedModel`; null once the set or the model changed. */
  test: HandwritingTest | null = $state.raw(null);
  testedModel: string | null = $state(null);
  error: ErrorEnvelope | null = $state.raw(null);
  /** What the last action did, said once ("Added a 3: 12 drawings."). */
  notice: string | null = $state(null);
  busy = $state(false);

  readonly count = $derived(this.set?.count ?? 0);

  readonly #api: StudioClient;

  constructor(api: StudioClient) {
    this.#api = api;
  }

  attach(): () => void {
    return onConnect(this.#api, () => void this.refresh());
  }

  async refresh(): Promise<void> {
    const r = await this.#api.invoke('handwriting:list', null);
    if (r.ok) this.#use(r.value);
    else this.error = r.error;
  }

  /** Adds the drawing with its label; true when it was kept. */
  async add(pixels: Float32Array, label: number, name: string): Promise<boolean> {
    const set = await this.#edit({ type: 'add', pixels, label });
    if (set)
      this.notice = `Added a ${name}: ${set.count} drawing${set.count === 1 ? '' : 's'} of yours.`;
    return set !== null;
  }

  /** The desktop app asks for folders with a dialog; a browser types them. */
  get desktop(): boolean {
    return this.#api.mode === 'electron';
  }

  /** Writes the set as IDX files into `folder` (null: a dialog); true when written. */
  async exportTo(folder: string | null): Promise<boolean> {
    const done = await this.#act(() => this.#api.invoke('handwriting:export', { folder }));
    if (done) this.notice = `Exported as IDX files: ${done.path}.`;
    return done !== null;
  }

  /** Adds the drawings of a folder's IDX pair (null: a dialog); true when added. */
  async importFrom(folder: string | null): Promise<boolean> {
    const before = this.count;
    const set = await this.#act(() => this.#api.invoke('handwriting:import', { folder }));
    if (set) {
      this.#use(set);
      this.notice = `Added ${set.count - before} drawings: ${set.count} in all.`;
    }
    return set !== null;
  }

  async relabel(index: number, label: number): Promise<void> {
    await this.#edit({ type: 'relabel', index, label });
  }

  async remove(index: number): Promise<void> {
    const set = await this.#edit({ type: 'delete', index });
    if (set) this.notice = `Deleted drawing ${index + 1}: ${set.count} left.`;
  }

  /** Tests the current model (`model` names it, so a later model's view drops the result). */
  async runTest(model: string): Promise<void> {
    const test = await this.#act(() => this.#api.invoke('handwriting:test', null), false);
    if (test) {
      this.test = test;
      this.testedModel = model;
    }
  }

  async #edit(edit: HandwritingEdit): Promise<HandwritingSet | null> {
    const set = await this.#act(() => this.#api.invoke('handwriting:edit', edit));
    if (set) this.#use(set);
    return set;
  }

  /**
   * One request, busy meanwhile: its value, or null when it failed (the error is kept) or was
   * cancelled (a folder dialog). A new action clears the last one's notice unless `fresh` is off.
   */
  async #act<T>(
    request: () => Promise<{ ok: true; value: T | null } | { ok: false; error: ErrorEnvelope }>,
    fresh = true,
  ): Promise<T | null> {
    this.busy = true;
    this.error = null;
    if (fresh) this.notice = null;
    try {
      const r = await request();
      if (r.ok) return r.value;
      this.error = r.error;
      return null;
    } finally {
      this.busy = false;
    }
  }

  #use(set: HandwritingSet): void {
    this.set = set;
    this.test = null; // it was of another set
    this.testedModel = null;
  }
}
