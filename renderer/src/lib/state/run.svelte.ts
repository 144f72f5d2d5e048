// The app's reactive state. The run itself is one `$state.raw` RunView replaced by the pure reducer
// on every event (the loss series inside it lives in shared typed buffers, see series.ts, so a
// 12 000-point run costs nothing per event); everything shown is `$derived` from it.
import { DEFAULT_CONFIG, type NumericSettings, type TrainConfig } from '$shared/config.ts';
import type {
  AppStatus,
  InvokeArg,
  InvokeChannel,
  InvokeResult,
  Result,
} from '$shared/contract.ts';
import type { ErrorEnvelope } from '$shared/errors.ts';
import type { TrainingEvent } from '$shared/events.ts';
import { BUNDLED, DATASET, type DatasetInfo } from '$shared/dataset.ts';
import { presetById, presetOf, type NetworkSpec, type OptimizerName } from '$shared/network.ts';
import { checkNetwork } from '$shared/network-shapes.ts';
import { isConnected, type ConnectionStatus, type StudioClient } from '../client.ts';
import { draftFrom, isDefaultDraft, parseDraft, type ConfigDraft } from './config-form.ts';
import { controlsFor, etaText, latestTestAccuracy, progressOf } from './derive.ts';
import { initialView, reduce, replay, type RunView } from './reducer.ts';

/** How long Train stays locked waiting for the run-started event after start was accepted. */
const AWAIT_RUN_MS = 15_000;

export class Studio {
  view: RunView = $state.raw(initialView());
  connection: ConnectionStatus = $state.raw({
    state: 'connecting',
    attempt: 0,
    retryAt: null,
    endpoint: '',
    reason: null,
  });
  /** The settings form, as typed. */
  draft: ConfigDraft = $state(draftFrom(DEFAULT_CONFIG));
  /** The network and optimizer the next run trains (a preset, or one shown from a run). */
  network: NetworkSpec = $state.raw(DEFAULT_CONFIG.network);
  optimizer: OptimizerName = $state(DEFAULT_CONFIG.optimizer);
  /** The invoke in flight, if any. */
  busy: InvokeChannel | null = $state(null);
  /** A stop in flight: it may overlap a pause or resume still waiting for its reply. */
  stopping = $state(false);
  /** The last failed button action (start/pause/resume/stop), shown under the buttons. */
  actionError: ErrorEnvelope | null = $state.raw(null);
  /** Something the transport received but could not use, or a failed resync. */
  problem: ErrorEnvelope | null = $state.raw(null);
  /** The run error the user dismissed (by identity, so a new failure shows again). */
  dismissedError: ErrorEnvelope | null = $state.raw(null);
  dismissedNotice: string | null = $state.raw(null);
  /** Set when start succeeded, until its run-started event arrives. */
  awaitingRunId: string | null = $state(null);
  /** True while the view is being rebuilt from training:status after a (re)connect. */
  syncing = $state(false);
  /** The data the next run trains on (the worker's word: a `dataset` event). */
  dataset: DatasetInfo = $state.raw(BUNDLED);
  /** Why the last data choice failed, shown beside the data picker. */
  dataError: ErrorEnvelope | null = $state.raw(null);

  readonly connected = $derived(isConnected(this.connection));
  readonly parsed = $derived(parseDraft(this.draft));
  /** The preset the network is, or null ("custom"). */
  readonly preset = $derived(presetOf(this.network));
  /** Nothing for resetDraft to do: the tutorial's settings, network and optimizer. */
  readonly atDefaults = $derived(
    isDefaultDraft(this.draft) &&
      this.preset?.id === 'tutorial-cnn' &&
      this.optimizer === DEFAULT_CONFIG.optimizer,
  );
  /** The network's shapes at the typed batch size, or why it cannot train. */
  readonly networkCheck = $derived(
    checkNetwork(this.network, DATASET, this.parsed.config?.batchSize),
  );
  /** What Train sends, or null while a field or the network is invalid. */
  readonly config: TrainConfig | null = $derived(
    this.parsed.config !== null && this.networkCheck.ok
      ? { ...this.parsed.config, network: this.network, optimizer: this.optimizer }
      : null,
  );
  readonly awaitingRun = $derived(
    this.awaitingRunId !== null && this.view.runId !== this.awaitingRunId,
  );
  readonly controls = $derived(
    controlsFor({
      state: this.view.state,
      connected: this.connected,
      configValid: this.config !== null,
      busy: this.busy !== null || this.syncing,
      stopping: this.stopping,
      awaitingRun: this.awaitingRun,
    }),
  );
  readonly progress = $derived(progressOf(this.view));
  readonly eta = $derived(etaText(this.view));
  readonly testAccuracy = $derived(latestTestAccuracy(this.view));
  /** The host's word that it resumed the run by itself, until dismissed. */
  readonly notice = $derived(
    this.view.notice !== null && this.view.notice !== this.dismissedNotice
      ? this.view.notice
      : null,
  );
  readonly runError = $derived(
    this.view.error !== null && this.view.error !== this.dismissedError ? this.view.error : null,
  );

  #api: StudioClient;
  /** Events that arrive while training:status is in flight, applied after the replay. */
  #buffer: TrainingEvent[] | null = null;
  #syncGeneration = 0;
  #syncProblem: ErrorEnvelope | null = null;
  #awaitTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(api: StudioClient) {
    this.#api = api;
  }

  /** Subscribes to the transport; returns the teardown. */
  attach(): () => void {
    const offEvent = this.#api.on('training:event', (e) => this.#onEvent(e));
    const offProblem = this.#api.onProblem((p) => (this.problem = p));
    const offConnection = this.#api.onConnection((c) => {
      const wasConnected = this.connected;
      this.connection = c;
      if (isConnected(c) && !wasConnected) void this.#sync();
      if (!isConnected(c)) this.#buffer = null;
    });
    return () => {
      offEvent();
      offProblem();
      offConnection();
      clearTimeout(this.#awaitTimer);
    };
  }

  // --- actions ---------------------------------------------------------------------------------

  /** Trains the form's settings, or `config` (a queued comparison run, a Re-run). */
  async train(config: TrainConfig | null = this.config): Promise<void> {
    if (!this.controls.canTrain || config === null) return;
    const r = await this.#run('training:start', config);
    if (r.ok && this.view.runId !== r.value.runId) {
      this.awaitingRunId = r.value.runId;
      clearTimeout(this.#awaitTimer);
      this.#awaitTimer = setTimeout(() => (this.awaitingRunId = null), AWAIT_RUN_MS);
    }
  }

  async pause(): Promise<void> {
    if (this.controls.canPause) await this.#run('training:pause', null);
  }

  async resume(): Promise<void> {
    if (this.controls.canResume) await this.#run('training:resume', null);
  }

  async stop(): Promise<void> {
    if (!this.controls.canStop) return;
    this.stopping = true;
    try {
      await this.#run('training:stop', null);
    } finally {
      this.stopping = false;
    }
  }

  async togglePause(): Promise<void> {
    if (this.view.state === 'running') await this.pause();
    else if (this.view.state === 'paused') await this.resume();
  }

  resetDraft(): void {
    this.draft = draftFrom(DEFAULT_CONFIG);
    this.network = DEFAULT_CONFIG.network;
    this.optimizer = DEFAULT_CONFIG.optimizer;
  }

  /** Fills some fields of the form (a quick run), keeping what is typed in the others. */
  applySettings(values: Partial<NumericSettings>): void {
    const filled = draftFrom({ ...DEFAULT_CONFIG, ...values });
    const next = { ...this.draft };
    for (const key of Object.keys(values) as (keyof NumericSettings)[]) next[key] = filled[key];
    this.draft = next;
  }

  /** A preset's network and its own optimizer, learning rate, batch size and epochs. */
  choosePreset(id: string): void {
    const p = presetById(id);
    if (p === undefined) return;
    this.network = p.network;
    this.optimizer = p.optimizer;
    this.applySettings({ learningRate: p.learningRate, batchSize: p.batchSize, epochs: p.epochs });
  }

  get desktop(): boolean {
    return this.#api.mode === 'electron';
  }

  /**
   * After a model was loaded: with no run history to take settings from (a model imported from
   * elsewhere), the layer strip shows the model's own network, as its weights have it.
   */
  adoptNetwork(network: NetworkSpec | null): void {
    if (network !== null && this.view.config === null) this.network = network;
  }

  /** Trains on the bundled MNIST, or on a folder (desktop: null asks with a dialog). */
  async chooseData(bundled: boolean, folder: string | null): Promise<boolean> {
    this.dataError = null;
    const r = await this.#api.invoke('data:choose', { bundled, folder });
    if (!r.ok) {
      this.dataError = r.error;
      return false;
    }
    if (r.value !== null) this.dataset = r.value;
    return r.value !== null;
  }

  /** Redraws everything from the host: after a run was opened or a model loaded. */
  refresh(): Promise<void> {
    return this.#sync();
  }

  dismissNotice(): void {
    this.dismissedNotice = this.view.notice;
  }

  dismissRunError(): void {
    this.dismissedError = this.view.error;
  }

  dismissProblem(): void {
    this.problem = null;
  }

  dismissActionError(): void {
    this.actionError = null;
  }

  // --- internals -------------------------------------------------------------------------------

  async #run<C extends InvokeChannel>(
    channel: C,
    arg: InvokeArg<C>,
  ): Promise<Result<InvokeResult<C>>> {
    this.busy = channel;
    this.actionError = null;
    try {
      const r = await this.#api.invoke(channel, arg);
      if (!r.ok) this.actionError = r.error;
      return r;
    } finally {
      this.busy = null;
    }
  }

  #onEvent(e: TrainingEvent): void {
    if (this.#buffer !== null) {
      this.#buffer.push(e);
      return;
    }
    if (e.type === 'failed') this.awaitingRunId = null;
    if (e.type === 'dataset') this.dataset = e.dataset;
    this.#show(reduce(this.view, e));
  }

  /** Rebuilds the view from the host's history so a page opened mid-run shows the whole run. */
  async #sync(): Promise<void> {
    const generation = ++this.#syncGeneration;
    this.#buffer = [];
    this.syncing = true;
    let r: Result<AppStatus>;
    try {
      r = await this.#api.invoke('training:status', null);
    } finally {
      if (generation === this.#syncGeneration) this.syncing = false;
    }
    // Superseded by a newer sync, or the connection dropped: the next connect syncs again.
    if (generation !== this.#syncGeneration || !this.connected) return;
    const buffered = this.#buffer ?? [];
    this.#buffer = null;
    let view: RunView;
    if (r.ok) {
      view = replay(r.value);
      const data = r.value.history.findLast((e) => e.type === 'dataset');
      if (data?.type === 'dataset') this.dataset = data.dataset;
      if (this.problem !== null && this.problem === this.#syncProblem) this.problem = null;
      this.actionError = null; // from before the reconnect; the replayed state supersedes it
    } else {
      view = this.view;
      this.problem = this.#syncProblem = {
        ...r.error,
        message: `Could not load the current training state: ${r.error.message}`,
      };
    }
    for (const e of buffered) {
      if (e.type === 'dataset') this.dataset = e.dataset;
      view = reduce(view, e);
    }
    this.#show(view);
  }

  #show(next: RunView): void {
    const previous = this.view;
    this.view = next;
    // A new run (started here, in another window, or found on connect) shows its own settings,
    // so Train after it repeats it; the fields are locked while it runs anyway. Not a fine-tune:
    // Train cannot repeat it (it starts from a model, not from scratch), so the form stays.
    if (next.runId !== previous.runId && next.config !== null && next.finetune === null) {
      this.draft = draftFrom(next.config);
      this.network = next.config.network;
      this.optimizer = next.config.optimizer;
    }
  }
}
