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
    return this.#folder(async () => {
      const r = await this.#api.invoke('handwriting:export', { folder });
      if (r.ok && r.value !== null) this.notice = `Exported as IDX files: ${r.value.path}.`;
      return r;
    });
  }

  /** Adds the drawings of a folder's IDX pair (null: a dialog); true when added. */
  async importFrom(folder: string | null): Promise<boolean> {
    const before = this.count;
    return this.#folder(async () => {
      const r = await this.#api.invoke('handwriting:import', { folder });
      if (r.ok && r.value !== null) {
        this.#use(r.value);
        this.notice = `Added ${r.value.count - before} drawings: ${r.value.count} in all.`;
      }
      return r;
    });
  }

  async #folder(
    fn: () => Promise<{ ok: true; value: unknown } | { ok: false; error: ErrorEnvelope }>,
  ): Promise<boolean> {
    this.busy = true;
    this.error = null;
    this.notice = null;
    try {
      const r = await fn();
      if (!r.ok) this.error = r.error;
      return r.ok && r.value !== null;
    } finally {
      this.busy = false;
    }
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
    this.busy = true;
    this.error = null;
    try {
      const r = await this.#api.invoke('handwriting:test', null);
      if (r.ok) {
        this.test = r.value;
        this.testedModel = model;
      } else this.error = r.error;
    } finally {
      this.busy = false;
    }
  }

  async #edit(edit: HandwritingEdit): Promise<HandwritingSet | null> {
    this.busy = true;
    this.error = null;
    this.notice = null;
    try {
      const r = await this.#api.invoke('handwriting:edit', edit);
      if (!r.ok) {
        this.error = r.error;
        return null;
      }
      this.#use(r.value);
      return r.value;
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
