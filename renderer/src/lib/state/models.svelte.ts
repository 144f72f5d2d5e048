// The models panel's state: the library listing, the checkpoint, and one action at a time.
// Everything goes through the StudioClient (window.studio in Electron, the WebSocket in a browser);
// errors arrive as envelopes and are shown in the panel, never thrown.
import type { InvokeArg, InvokeChannel, InvokeResult, Result } from '$shared/contract.ts';
import type { ErrorEnvelope } from '$shared/errors.ts';
import type { CheckpointInfo, ExportFormat, ModelInfo } from '$shared/models.ts';
import { onConnect, type StudioClient } from '../client.ts';
import { exportedText } from './models.ts';

export type ModelAction =
  'list' | 'save' | 'load' | 'rename' | 'delete' | 'export' | 'import' | 'folder' | 'resume';

export class ModelsState {
  folder: string | null = $state(null);
  models: ModelInfo[] = $state.raw([]);
  checkpoint: CheckpointInfo | null = $state.raw(null);
  /** A checkpoint that could not be written during the current run (e.g. a full disk). */
  checkpointError: ErrorEnvelope | null = $state.raw(null);
  busy: ModelAction | null = $state(null);
  error: ErrorEnvelope | null = $state.raw(null);
  /** What failed, so the panel shows the error beside its control: the action, and its model. */
  errorAction: ModelAction | null = $state(null);
  errorModel: string | null = $state(null);
  notice: string | null = $state(null);
  /** The model last loaded from the library, if the current model is one. */
  loaded: string | null = $state(null);

  readonly #api: StudioClient;
  readonly #loaded: (info: ModelInfo) => Promise<void>;

  /** `loaded` redraws the window after a model was loaded (its run is now the one shown). */
  constructor(api: StudioClient, loaded: (info: ModelInfo) => Promise<void> = async () => {}) {
    this.#api = api;
    this.#loaded = loaded;
  }

  get desktop(): boolean {
    return this.#api.mode === 'electron';
  }

  /** Keeps the listing and the checkpoint current; returns the teardown. */
  attach(): () => void {
    const offEvent = this.#api.on('training:event', (e) => {
      if (e.type === 'run-started') {
        this.checkpointError = null;
        this.loaded = null;
      }
      if (e.type === 'checkpoint') {
        // The event says what was written; a failed write leaves the previous checkpoint.
        this.checkpointError = e.error;
        if (e.info !== null) this.checkpoint = e.info;
      }
      // A run that ends in any way may leave something to resume (or no longer).
      if (e.type === 'finished' || e.type === 'stopped' || e.type === 'failed')
        void this.refreshCheckpoint();
    });
    const offConnection = onConnect(this.#api, () => void this.refresh());
    return () => {
      offEvent();
      offConnection();
    };
  }

  async refresh(): Promise<void> {
    await Promise.all([this.refreshList(), this.refreshCheckpoint()]);
  }

  async refreshList(): Promise<void> {
    const r = await this.#api.invoke('model:list', null);
    if (r.ok) {
      this.folder = r.value.folder;
      this.models = r.value.models;
    } else {
      this.error = r.error;
      this.errorAction = 'list';
      this.errorModel = null;
    }
  }

  async refreshCheckpoint(): Promise<void> {
    const r = await this.#api.invoke('training:checkpoint', null);
    if (r.ok) this.checkpoint = r.value;
  }

  /** Saves the current model; resolves to 'taken' when the name exists and overwrite was false. */
  async save(name: string, overwrite: boolean): Promise<'saved' | 'taken' | 'failed'> {
    const r = await this.#do(
      'save',
      'model:save',
      { name, overwrite },
      { quietCodes: ['NAME_TAKEN'] },
    );
    if (r.ok) {
      this.notice = `Saved "${r.value.name}".`;
      await this.refreshList();
      return 'saved';
    }
    return r.error.code === 'NAME_TAKEN' ? 'taken' : 'failed';
  }

  async load(name: string): Promise<void> {
    const r = await this.#do('load', 'model:load', { name }, { model: name });
    if (r.ok) {
      this.loaded = r.value.name;
      this.notice = `Loaded "${r.value.name}": draw a digit to try it.`;
      await this.#loaded(r.value);
    }
  }

  async rename(from: string, to: string): Promise<boolean> {
    const r = await this.#do('rename', 'model:rename', { from, to }, { model: from });
    if (r.ok) {
      if (this.loaded === from) this.loaded = r.value.name;
      this.notice = `Renamed "${from}" to "${r.value.name}".`;
      await this.refreshList();
    }
    return r.ok;
  }

  async remove(name: string): Promise<void> {
    const r = await this.#do('delete', 'model:delete', { name }, { model: name });
    if (r.ok) {
      if (this.loaded === name) this.loaded = null;
      this.notice = `Deleted "${name}".`;
      await this.refreshList();
    }
  }

  /** `folder` is null on the desktop (main shows a dialog) and a typed path in a browser. */
  async exportModel(name: string, folder: string | null, format: ExportFormat): Promise<boolean> {
    const r = await this.#do('export', 'model:export', { name, folder, format }, { model: name });
    if (r.ok && r.value !== null) this.notice = exportedText(`"${name}"`, r.value);
    return r.ok && r.value !== null;
  }

  async importModel(folder: string | null): Promise<boolean> {
    const r = await this.#do('import', 'model:import', { folder });
    if (r.ok && r.value !== null) {
      const changes = r.value.changes;
      this.notice =
        changes.length === 0
          ? `Imported "${r.value.name}".`
          : `Imported "${r.value.name}"; to use it here, ${changes.join('; ')}.`;
      await this.refreshList();
    }
    return r.ok && r.value !== null;
  }

  async chooseFolder(): Promise<void> {
    const r = await this.#do('folder', 'model:choose-folder', { folder: null });
    if (r.ok && r.value !== null) {
      this.folder = r.value.folder;
      this.models = r.value.models;
      this.notice = `Models are now kept in ${r.value.folder}.`;
    }
  }

  async resume(): Promise<void> {
    const r = await this.#do('resume', 'training:resume-checkpoint', null);
    if (r.ok) this.notice = null;
  }

  dismiss(): void {
    this.error = null;
    this.notice = null;
  }

  async #do<C extends InvokeChannel>(
    action: ModelAction,
    channel: C,
    arg: InvokeArg<C>,
    { quietCodes = [] as string[], model = null as string | null } = {},
  ): Promise<Result<InvokeResult<C>>> {
    this.busy = action;
    this.error = null;
    this.notice = null;
    try {
      const r = await this.#api.invoke(channel, arg);
      if (!r.ok && !quietCodes.includes(r.error.code)) {
        this.error = r.error;
        this.errorAction = action;
        this.errorModel = model;
      }
      return r;
    } finally {
      this.busy = null;
    }
  }
}
