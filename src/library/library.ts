// The models folder: one sub-folder per model (model.json + weights.bin), named by the model's
// name. Listing, renaming, deleting, exporting and importing are plain file operations, done here
// without TensorFlow; saving and loading need the weights and happen in the worker.
// Mutations run one at a time (exclusive), and every write is atomic (see atomic.ts).
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { trainConfig } from '../shared/validate.ts';
import {
  MODEL_NAME_MAX,
  modelNameError,
  sameModelName,
  type ExportFormat,
  type ExportResult,
  type ModelInfo,
} from '../shared/models.ts';
import {
  isWorkName,
  recoverAll,
  removeDirAtomic,
  writeDirAtomic,
  writeFileAtomic,
  type AtomicOptions,
} from './atomic.ts';
import { libraryError } from './errors.ts';
import { MODEL_JSON, ModelFileError, metaOf } from './model-files.ts';
import { readModelFolder, readModelJson, weightBytesOnDisk } from './model-folder.ts';
import { modelFolderFiles } from './model-json.ts';
import { exportModelFiles } from './export.ts';
import { adoptTopology } from './foreign-model.ts';
import { networkOf } from './topology-spec.ts';

/** A usable model name made from any folder name (imports): bad characters become "-". */
export function nameFrom(raw: string): string {
  const cleaned = raw
    // eslint-disable-next-line no-control-regex -- control characters are replaced on purpose
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*/\\]/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, MODEL_NAME_MAX)
    .replace(/[\ud800-\udbff]$/, '') // the cut must not leave half of a character
    .trim();
  return modelNameError(cleaned) === null ? cleaned : 'Imported model';
}

export class ModelLibrary {
  private queue: Promise<unknown> = Promise.resolve();
  readonly root: string;

  constructor(
    root: string,
    private readonly atomic: AtomicOptions = {},
  ) {
    this.root = resolve(root);
  }

  /** Runs `fn` after every mutation queued before it, so two saves never interleave. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  dirOf(name: string): string {
    return join(this.root, name);
  }

  /** Every model folder, newest first; damaged ones are listed with their problem. */
  async list(): Promise<ModelInfo[]> {
    await this.ensureRoot();
    await recoverAll(this.root, this.atomic);
    const entries = await readdir(this.root, { withFileTypes: true });
    const models = await Promise.all(
      entries.filter((e) => e.isDirectory() && !isWorkName(e.name)).map((e) => this.info(e.name)),
    );
    return models.sort(
      (a, b) =>
        (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.name.localeCompare(b.name),
    );
  }

  /** One model's listing entry (model.json and file sizes only, no weights read). */
  async info(name: string): Promise<ModelInfo> {
    const dir = this.dirOf(name);
    try {
      const json = await readModelJson(dir);
      const meta = metaOf(json.meta);
      const bytes = await weightBytesOnDisk(dir, json);
      // The network is what the topology says, whatever the metadata claims.
      const network = networkOf(json.modelTopology, join(dir, MODEL_JSON));
      let config = null;
      try {
        config = meta.config === null ? null : { ...trainConfig(meta.config, 'config'), network };
      } catch {
        config = null; // settings we cannot read do not make the model unusable
      }
      return {
        name,
        createdAt: meta.createdAt,
        engine: meta.engine,
        config,
        epochsTrained: meta.epochsTrained,
        testAccuracy: meta.testAccuracy,
        network,
        changes: meta.importChanges,
        bytes,
        problem:
          bytes === json.expectedBytes
            ? null
            : `the weights are ${bytes} bytes on disk, but the manifest needs exactly ${json.expectedBytes}`,
      };
    } catch (e) {
      if (!(e instanceof ModelFileError)) throw e;
      return {
        name,
        createdAt: null,
        engine: null,
        config: null,
        epochsTrained: null,
        testAccuracy: null,
        network: null,
        changes: [],
        bytes: 0,
        problem: e.problem,
      };
    }
  }

  /** The folder name of a model, matched as case-insensitive file systems would; null if none. */
  async find(name: string): Promise<string | null> {
    await this.ensureRoot();
    const entries = await readdir(this.root);
    return (
      entries.find((e) => e === name) ??
      entries.find((e) => !isWorkName(e) && sameModelName(e, name)) ??
      null
    );
  }

  async require(name: string): Promise<string> {
    const found = await this.find(name);
    if (found === null || !(await stat(this.dirOf(found))).isDirectory())
      throw libraryError('NOT_FOUND', `There is no model named "${name}".`);
    return found;
  }

  /** Throws NAME_TAKEN when `name` (or a case variant) exists, other than `except`. */
  async requireFree(name: string, except: string | null = null): Promise<void> {
    const found = await this.find(name);
    if (found !== null && found !== except)
      throw libraryError('NAME_TAKEN', `A model named "${found}" already exists.`);
  }

  async rename(from: string, to: string): Promise<ModelInfo> {
    const source = await this.require(from);
    await this.requireFree(to, source);
    if (source !== to) await rename(this.dirOf(source), this.dirOf(to));
    // The folder name is the name; the copy in model.json follows it (best effort: it is only
    // a hint for imports).
    await this.setMetaName(to).catch(() => {});
    return this.info(to);
  }

  async delete(name: string): Promise<void> {
    await removeDirAtomic(this.dirOf(await this.require(name)), this.atomic);
  }

  /** Copies a model, checked, into `folder` as a tfjs folder or an ONNX file; never replaces. */
  async exportTo(name: string, folder: string, format: ExportFormat): Promise<ExportResult> {
    const source = await this.require(name);
    const dir = this.dirOf(source);
    return exportModelFiles(await readModelFolder(dir), dir, source, folder, format, this.atomic);
  }

  /**
   * Copies a model folder into the library after checking all of it (model.json, manifest paths,
   * byte lengths, shapes, finite weights, a network the editor can express), then `verify` (the
   * worker builds it). A model from elsewhere is adopted first (./foreign-model.ts): what changed
   * is kept in its metadata and shown. The copy is normalised to one weights.bin. The name comes
   * from its metadata or folder name, made unique with " (2)", " (3)"...
   */
  async importFrom(
    folder: string,
    verify: (dir: string) => Promise<void> = async () => {},
  ): Promise<ModelInfo> {
    const source = resolve(folder);
    const read = await readModelFolder(source);
    const { topology, changes } = adoptTopology(read.modelTopology);
    networkOf(topology, join(source, MODEL_JSON)); // the first layer it cannot use, by name
    await verify(source);
    const files = { ...read, modelTopology: topology };
    const imported = changes.length === 0 ? {} : { imported: { from: basename(source), changes } };
    const base = nameFrom(metaOf(files.meta).name ?? basename(source));
    let name = base;
    for (let i = 2; (await this.find(name)) !== null; i++) {
      const suffix = ` (${i})`;
      name = `${base.slice(0, MODEL_NAME_MAX - suffix.length).trimEnd()}${suffix}`;
    }
    await writeDirAtomic(
      this.dirOf(name),
      modelFolderFiles(files, { ...(files.meta ?? {}), ...imported, name }),
      {
        ...this.atomic,
        exclusive: true,
      },
    );
    return this.info(name);
  }

  private async setMetaName(name: string): Promise<void> {
    const file = join(this.dirOf(name), MODEL_JSON);
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    const meta = json['userDefinedMetadata'];
    if (typeof meta !== 'object' || meta === null) return;
    json['userDefinedMetadata'] = { ...meta, name };
    await writeFileAtomic(file, JSON.stringify(json), this.atomic);
  }

  private async ensureRoot(): Promise<void> {
    await (this.atomic.fs?.mkdir ?? mkdir)(this.root, { recursive: true });
  }
}
