// The model:* and checkpoint requests, answered by the host: file operations on the models folder
// here (src/library, no TensorFlow), saving and loading through the worker. Every answer is a
// Result; every failure an envelope that says what happened and what was left untouched.
import { ModelLibrary } from '../library/library.ts';
import { readHistory, writeHistory } from '../library/runs.ts';
import { readCheckpointInfo } from '../library/checkpoint-files.ts';
import { libraryError, storageError } from '../library/errors.ts';
import { EnvelopeError, envelope } from '../shared/errors.ts';
import { ModelFileError } from '../library/model-files.ts';
import type { Result } from '../shared/contract.ts';
import type {
  CheckpointInfo,
  ChooseFolderArg,
  ExportModelArg,
  ExportResult,
  ImportModelArg,
  ModelDirs,
  ModelInfo,
  ModelList,
  ModelNameArg,
  RenameModelArg,
  SaveModelArg,
} from '../shared/models.ts';
import type { FolderPicker } from './folders.ts';
import type { TrainingHost } from './training-host.ts';

async function attempt<T>(doing: string, fn: () => Promise<T>, unchanged = ''): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: storageError(e, doing, unchanged) };
  }
}

export class ModelService {
  private library: ModelLibrary | null;

  constructor(
    private readonly host: TrainingHost,
    private readonly dirs: ModelDirs,
  ) {
    this.library = dirs.modelsDir === null ? null : new ModelLibrary(dirs.modelsDir);
  }

  private lib(): ModelLibrary {
    if (!this.library) throw libraryError('BAD_REQUEST', 'No models folder is set up here.');
    return this.library;
  }

  list(): Promise<Result<ModelList>> {
    return attempt('list the models', async () => {
      const lib = this.lib();
      return { folder: lib.root, models: await lib.list() };
    });
  }

  save({ name, overwrite }: SaveModelArg): Promise<Result<ModelInfo>> {
    return attempt(
      `save the model "${name}"`,
      () => {
        const lib = this.lib();
        return lib.exclusive(async () => {
          const existing = await lib.find(name);
          if (existing !== null && (!overwrite || existing !== name))
            throw libraryError(
              'NAME_TAKEN',
              existing === name
                ? `A model named "${name}" already exists. Replace it?`
                : `A model named "${existing}" already exists; names differing only in case would clash on some disks.`,
            );
          const r = await this.host.request({ type: 'save', dir: lib.dirOf(name) });
          if (!r.ok) throw new EnvelopeError(r.error);
          // Its history goes with it, so loading it later shows this run's charts and panels.
          const history = this.host.shownRun();
          if (history.length > 0) await writeHistory(lib.dirOf(name), history);
          return lib.info(name);
        });
      },
      'Any earlier copy is unchanged.',
    );
  }

  load({ name }: ModelNameArg): Promise<Result<ModelInfo>> {
    return attempt(`load the model "${name}"`, async () => {
      const lib = this.lib();
      const found = await lib.require(name);
      // A damaged history must not cost the model: it loads and says it has no history.
      const history = await readHistory(lib.dirOf(found), `"${found}"`).catch(() => null);
      const r = await this.host.request({ type: 'load', dir: lib.dirOf(found) });
      if (!r.ok) throw new EnvelopeError(r.error);
      this.host.show(history ?? [], { kind: 'model', name: found });
      return lib.info(found);
    });
  }

  rename({ from, to }: RenameModelArg): Promise<Result<ModelInfo>> {
    return attempt(`rename "${from}"`, () => {
      const lib = this.lib();
      return lib.exclusive(() => lib.rename(from, to));
    });
  }

  delete({ name }: ModelNameArg): Promise<Result<null>> {
    return attempt(`delete "${name}"`, () => {
      const lib = this.lib();
      return lib.exclusive(async () => {
        await lib.delete(name);
        return null;
      });
    });
  }

  export(
    { name, folder, format }: ExportModelArg,
    picker: FolderPicker,
  ): Promise<Result<ExportResult | null>> {
    return attempt(`export "${name}"`, async () => {
      const lib = this.lib();
      await lib.require(name); // before asking for a folder
      const target = await picker.exportFolder(folder, name);
      if (target === null) return null;
      return lib.exclusive(() => lib.exportTo(name, target, format));
    });
  }

  import({ folder }: ImportModelArg, picker: FolderPicker): Promise<Result<ModelInfo | null>> {
    return attempt('import the model', async () => {
      const lib = this.lib();
      const source = await picker.importFolder(folder);
      if (source === null) return null;
      // The worker builds it too, as loading would: a model that cannot be loaded is refused
      // here, not discovered later in the list.
      const verify = async (dir: string): Promise<void> => {
        const check = await this.host.request({ type: 'check-model', dir });
        if (!check.ok) throw new EnvelopeError(check.error);
      };
      return lib.exclusive(() =>
        lib.importFrom(source, verify).catch((e: unknown) => {
          // Worded as the worker words its own refusals of the same folder.
          if (!(e instanceof ModelFileError)) throw e;
          throw new EnvelopeError(
            envelope('BAD_MODEL', `Cannot import the model: ${e.problem}.`, e.file),
          );
        }),
      );
    });
  }

  /** Points the library at a folder the user picks; `remember` persists the choice. */
  chooseFolder(
    { folder }: ChooseFolderArg,
    picker: FolderPicker,
    remember: (dir: string) => Promise<void>,
  ): Promise<Result<ModelList | null>> {
    return attempt('use that folder for models', async () => {
      if (!picker.modelsFolder)
        throw libraryError(
          'BAD_REQUEST',
          'Choose the models folder when starting the server: npm run serve -- --models DIR.',
        );
      const dir = await picker.modelsFolder(folder);
      if (dir === null) return null;
      const next = new ModelLibrary(dir);
      // Wait for saves and renames in the old folder, and prove the new one is usable, first.
      const models = await (this.library ?? next).exclusive(() => next.list());
      this.library = next;
      await remember(next.root);
      return { folder: next.root, models };
    });
  }

  checkpoint(): Promise<Result<CheckpointInfo | null>> {
    return attempt('read the checkpoint', async () =>
      this.dirs.checkpointDir === null ? null : readCheckpointInfo(this.dirs.checkpointDir),
    );
  }
}
