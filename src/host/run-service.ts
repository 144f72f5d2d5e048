// The run:* and data:choose requests: the kept runs (src/library/runs.ts) listed, opened, starred, deleted and read
// for Compare. Opening a run loads its weights into the worker and makes its history the one every
// window shows, so no panel can show one run while predictions come from another.
import { storageError, libraryError } from '../library/errors.ts';
import type { RunStore } from '../library/runs.ts';
import type { DataChoiceArg, Result } from '../shared/contract.ts';
import type { DatasetInfo } from '../shared/dataset.ts';
import type { FolderPicker } from './folders.ts';
import { EnvelopeError } from '../shared/errors.ts';
import type { TrainingEvent } from '../shared/events.ts';
import type { ExportResult } from '../shared/models.ts';
import {
  CURVE_EVENTS,
  runTitle,
  type ExportRunArg,
  type RunInfo,
  type RunList,
  type StarRunArg,
} from '../shared/runs.ts';
import type { TrainingHost } from './training-host.ts';

async function attempt<T>(doing: string, fn: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: storageError(e, doing) };
  }
}

export class RunService {
  constructor(private readonly host: TrainingHost) {}

  private store(): RunStore {
    return this.host.runs ?? refuse('No runs folder is set up here, so runs are not kept.');
  }

  list(): Promise<Result<RunList>> {
    return attempt('list the kept runs', async () => {
      const store = this.store();
      return { folder: store.root, runs: await store.list() };
    });
  }

  open(id: string): Promise<Result<RunInfo>> {
    return attempt(`open run ${id}`, async () => {
      const store = this.store();
      const info = await store.info(id);
      if (!info.hasWeights)
        refuse('This run failed, so it has no weights to predict with; compare it instead.');
      const events = await store.history(id);
      const r = await this.host.request({ type: 'load', dir: store.dirOf(id) });
      if (!r.ok) throw new EnvelopeError(r.error);
      this.host.show([...events, { type: 'run-kept', runId: id, error: null }], {
        kind: 'run',
        name: id,
      });
      return info;
    });
  }

  history(id: string): Promise<Result<TrainingEvent[]>> {
    return attempt(`read run ${id}`, async () =>
      (await this.store().history(id)).filter((e) => CURVE_EVENTS.has(e.type)),
    );
  }

  star({ id, starred }: StarRunArg): Promise<Result<RunInfo>> {
    return attempt(`${starred ? 'star' : 'unstar'} run ${id}`, () =>
      this.store().star(id, starred),
    );
  }

  export(
    { id, folder, format }: ExportRunArg,
    picker: FolderPicker,
  ): Promise<Result<ExportResult | null>> {
    return attempt(`export run ${id}`, async () => {
      const store = this.store();
      const info = await store.info(id); // before asking for a folder
      const target = await picker.exportFolder(folder, runTitle(info));
      if (target === null) return null;
      return store.exportTo(id, target, format);
    });
  }

  delete(id: string): Promise<Result<null>> {
    return attempt(`delete run ${id}`, async () => {
      await this.store().remove(id);
      return null;
    });
  }
}

const refuse = (message: string): never => {
  throw libraryError('BAD_REQUEST', message);
};

/** data:choose: the bundled MNIST, or a folder the picker gives; the worker reads and checks it. */
export async function chooseData(
  host: TrainingHost,
  { bundled, folder }: DataChoiceArg,
  picker: FolderPicker,
): Promise<Result<DatasetInfo | null>> {
  try {
    const dir = bundled ? null : await picker.dataFolder(folder);
    if (!bundled && dir === null) return { ok: true, value: null };
    return await host.request({ type: 'set-data', dir });
  } catch (e) {
    return { ok: false, error: storageError(e, 'use that data folder', 'The current data stays.') };
  }
}
