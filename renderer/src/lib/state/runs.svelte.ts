// The kept runs: the list (refreshed whenever a run is kept), the runs chosen for Compare with
// their curves, and the queue of runs that train one after another (the tutorial's comparison).
import type { TrainConfig } from '$shared/config.ts';
import type { ErrorEnvelope } from '$shared/errors.ts';
import type { TrainingEvent } from '$shared/events.ts';
import { presetById } from '$shared/network.ts';
import type { ExportFormat } from '$shared/models.ts';
import { MAX_COMPARE, runName, type RunInfo } from '$shared/runs.ts';
import { exportedText, formatDate } from './models.ts';
import { onConnect, type StudioClient } from '../client.ts';
import type { Studio } from './run.svelte.ts';

export interface QueuedRun {
  label: string;
  config: TrainConfig;
}

export class RunsState {
  runs: RunInfo[] = $state.raw([]);
  folder: string | null = $state(null);
  error: ErrorEnvelope | null = $state.raw(null);
  /** The run an action failed for, so the message shows beside it (null: the list itself). */
  errorRun: string | null = $state(null);
  busy: string | null = $state(null);
  /** What the last action did, said once (e.g. where an export went). */
  notice: string | null = $state(null);
  /** Runs chosen for Compare, in the order chosen. */
  compared: string[] = $state.raw([]);
  /** Their curves (run:history), by run id. */
  curves: Readonly<Record<string, TrainingEvent[]>> = $state.raw({});
  /** Runs waiting to train after the current one; the first starts when the current is kept. */
  queue: QueuedRun[] = $state.raw([]);
  /** Counts the queues that ran to the end: each time, their runs are compared. */
  queuesDone = $state(0);
  /** The queued run training now, until it is kept. */
  queueRunning: QueuedRun | null = $state.raw(null);
  /** Ids of the runs the queue started, compared together when it is done. */
  #queued: string[] = [];

  readonly comparedRuns = $derived(
    this.compared
      .map((id) => this.runs.find((r) => r.id === id))
      .filter((r): r is RunInfo => r !== undefined),
  );
  #has = (id: string): boolean => this.runs.some((r) => r.id === id);

  readonly #api: StudioClient;
  readonly #studio: Studio;

  constructor(api: StudioClient, studio: Studio) {
    this.#api = api;
    this.#studio = studio;
  }

  /** The desktop app asks for folders with a dialog; a browser types them. */
  get desktop(): boolean {
    return this.#api.mode === 'electron';
  }

  attach(): () => void {
    const offEvent = this.#api.on('training:event', (e) => {
      if (e.type === 'run-started' && this.#awaiting) {
        this.#awaiting = false;
        this.#queued.push(e.runId);
      }
      if (e.type === 'run-kept') void this.#kept(e.runId);
    });
    const offConnection = onConnect(this.#api, () => void this.refresh());
    return () => {
      offEvent();
      offConnection();
    };
  }

  async refresh(): Promise<void> {
    const r = await this.#api.invoke('run:list', null);
    if (r.ok) {
      this.runs = r.value.runs;
      this.folder = r.value.folder;
      this.compared = this.compared.filter((id) => this.#has(id));
      if (this.errorRun === null) this.error = null;
    } else this.#fail(r.error, null);
  }

  /** Shows the run everywhere: its weights predict, its history fills every panel. */
  async open(id: string): Promise<void> {
    const r = await this.#act(id, () => this.#api.invoke('run:open', { id }));
    if (r !== null) await this.#studio.refresh();
  }

  async star(run: RunInfo): Promise<void> {
    const r = await this.#act(run.id, () =>
      this.#api.invoke('run:star', { id: run.id, starred: !run.starred }),
    );
    if (r !== null) this.runs = this.runs.map((x) => (x.id === run.id ? r.value : x));
  }

  /** `folder`: null on the desktop (a dialog), a typed path in a browser. True when written. */
  async exportRun(run: RunInfo, folder: string | null, format: ExportFormat): Promise<boolean> {
    const r = await this.#act(run.id, () =>
      this.#api.invoke('run:export', { id: run.id, folder, format }),
    );
    if (r === null || r.value === null) return false;
    this.notice = exportedText(`${runName(run.config)} of ${formatDate(run.startedAt)}`, r.value);
    return true;
  }

  async remove(id: string): Promise<void> {
    const r = await this.#act(id, () => this.#api.invoke('run:delete', { id }));
    if (r !== null) {
      this.runs = this.runs.filter((x) => x.id !== id);
      this.compared = this.compared.filter((x) => x !== id);
    }
  }

  /** The same network, settings, data and seed again. */
  rerun(run: RunInfo): Promise<void> {
    return this.#studio.train(run.config);
  }

  /** Adds a run to Compare (up to MAX_COMPARE) or takes it out; fetches its curves once. */
  async toggleCompare(id: string): Promise<void> {
    if (this.compared.includes(id)) {
      this.compared = this.compared.filter((x) => x !== id);
      return;
    }
    if (this.compared.length >= MAX_COMPARE) return;
    this.compared = [...this.compared, id];
    await this.#fetchCurves(id);
  }

  /**
   * The tutorial's own comparison: the Standard NN preset on the same data and seed as the
   * current (or last) CNN run, trained after it; then both are compared. With no CNN run yet,
   * the Tutorial CNN is queued first.
   */
  compareWithStandard(): void {
    const standard = presetById('standard-nn')!;
    const tutorial = presetById('tutorial-cnn')!;
    const view = this.#studio.view;
    const base = view.config ?? this.#studio.config;
    if (base === null) return;
    const from = (p: typeof standard): QueuedRun => ({
      label: p.name,
      config: {
        ...base,
        network: p.network,
        optimizer: p.optimizer,
        learningRate: p.learningRate,
        batchSize: p.batchSize,
        epochs: p.epochs,
      },
    });
    const queue: QueuedRun[] = [];
    const cnnDone = view.runId !== null && view.config !== null && !isPlain(view.config);
    this.#queued = cnnDone && view.runId !== null ? [view.runId] : [];
    if (!cnnDone) queue.push(from(tutorial));
    queue.push(from(standard));
    this.queue = queue;
    if (view.state !== 'running' && view.state !== 'paused') void this.#next();
  }

  /** Forgets the runs still waiting and the comparison at the end; a run training goes on. */
  cancelQueue(): void {
    this.queue = [];
    this.queueRunning = null;
    this.#queued = [];
  }

  #awaiting = false;

  async #next(): Promise<void> {
    const [next, ...rest] = this.queue;
    if (next === undefined) return;
    this.queue = rest;
    this.queueRunning = next;
    this.#awaiting = true;
    await this.#studio.train(next.config);
    if (this.#studio.actionError !== null) {
      this.#awaiting = false;
      this.queue = [];
      this.queueRunning = null;
    }
  }

  async #kept(id: string): Promise<void> {
    await this.refresh();
    // A queued run that failed, or could not be written, still lets the queue go on.
    if (!this.#queued.includes(id)) return;
    this.queueRunning = null;
    if (this.queue.length > 0) return void this.#next();
    // The queue is done: compare what it trained.
    const ids = this.#queued.filter((x) => this.#has(x));
    this.#queued = [];
    this.compared = ids.slice(0, MAX_COMPARE);
    await Promise.all(ids.map((x) => this.#fetchCurves(x)));
    this.queuesDone++;
  }

  async #fetchCurves(id: string): Promise<void> {
    if (Object.hasOwn(this.curves, id)) return;
    const r = await this.#api.invoke('run:history', { id });
    if (r.ok) this.curves = { ...this.curves, [id]: r.value };
    else this.#fail(r.error, id);
  }

  async #act<T>(
    id: string,
    fn: () => Promise<{ ok: true; value: T } | { ok: false; error: ErrorEnvelope }>,
  ): Promise<{ value: T } | null> {
    this.busy = id;
    this.notice = null;
    try {
      const r = await fn();
      if (r.ok) {
        if (this.errorRun === id) this.error = null;
        return { value: r.value };
      }
      this.#fail(r.error, id);
      return null;
    } finally {
      this.busy = null;
    }
  }

  #fail(error: ErrorEnvelope, id: string | null): void {
    this.error = error;
    this.errorRun = id;
  }
}

/** A network without convolutions (the tutorial's "standard" kind). */
const isPlain = (config: TrainConfig): boolean =>
  !config.network.layers.some((l) => l.kind === 'conv');
