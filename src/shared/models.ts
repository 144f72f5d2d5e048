// Saved models and checkpoints as every layer sees them: names, what the library lists, what a
// checkpoint offers, and the guards for the model:* requests. Plain data only: imports nothing
// outside src/shared.
import type { TrainConfig } from './config.ts';
import type { NetworkSpec } from './network.ts';
import { ValidationError, bool, literal, nullable, object, str, type Guard } from './guard.ts';

export const MODEL_NAME_MAX = 64;
/** Longest folder path a renderer may type (browser mode only; the desktop app uses a dialog). */
export const FOLDER_PATH_MAX = 4096;

/** Where the worker writes saved models and the checkpoint. */
export interface ModelDirs {
  /** The models folder; null: model:* requests are refused (e.g. a bare test host). */
  modelsDir: string | null;
  /** The checkpoint folder the worker writes; null: no checkpoints. */
  checkpointDir: string | null;
}

/** One model in the library. Everything but the name is read from its model.json. */
export interface ModelInfo {
  /** The folder name inside the models folder; unique, case-insensitively. */
  name: string;
  /** ISO 8601, when it was saved. */
  createdAt: string | null;
  /** The engine that trained it ("native", "wasm", "cpu"). */
  engine: string | null;
  config: TrainConfig | null;
  epochsTrained: number | null;
  testAccuracy: number | null;
  /** Its network, read from its topology; null when that cannot be read (see problem). */
  network: NetworkSpec | null;
  /** What importing changed to make a model from elsewhere usable, each in a sentence. */
  changes: string[];
  /** Size of its weights on disk. */
  bytes: number;
  /** Why it cannot be loaded, when that shows without reading the weights; null if it looks fine. */
  problem: string | null;
}

export interface ModelList {
  /** Where the models live, shown to the user. */
  folder: string;
  models: ModelInfo[];
}

/** The checkpoint of the last run, written after every completed epoch. */
export interface CheckpointInfo {
  /** null (like createdAt, engine and config) when the checkpoint is too damaged to tell. */
  runId: string | null;
  createdAt: string | null;
  engine: string | null;
  config: TrainConfig | null;
  epochsCompleted: number;
  testAccuracy: number | null;
  /** True when epochs remain and the files are sound. */
  resumable: boolean;
  /** Why it cannot be resumed (damaged files), or null. */
  problem: string | null;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f<>:"|?*]/;
/**
 * Characters that are invisible or reorder the text around them (zero-width, bidi controls, BOM):
 * a name with one can look like another model's name and be a different folder. Fullwidth forms
 * ("ａｂｃ") stay allowed: they are visible, ordinary text in CJK names, and the file system keeps
 * them apart from their ASCII lookalikes just as the list shows them apart.
 */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;
/** A UTF-16 surrogate without its partner: the disk would store U+FFFD instead. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `name` cannot name a model folder, in words a user can act on; null when it can.
 * A name is one path segment on every OS: no separators, no "..", no leading dot (our temporary
 * folders start with one), no characters Windows refuses, no reserved device names.
 */
export function modelNameError(name: unknown): string | null {
  if (typeof name !== 'string') return 'The name must be text.';
  if (name.trim() === '') return 'Give the model a name.';
  if (name.length > MODEL_NAME_MAX) return `Use at most ${MODEL_NAME_MAX} characters.`;
  if (name.trim() !== name) return 'The name must not start or end with a space.';
  if (/[/\\]/.test(name)) return 'The name must not contain / or \\.';
  if (name.includes('..')) return 'The name must not contain "..".';
  if (name.startsWith('.')) return 'The name must not start with a dot.';
  if (name.endsWith('.')) return 'The name must not end with a dot.';
  if (LONE_SURROGATE.test(name))
    return 'The name has a broken character (half of an emoji or symbol); type it again.';
  if (FORBIDDEN.test(name))
    return 'The name must not contain control characters or any of < > : " | ? *.';
  if (INVISIBLE.test(name))
    return 'The name must not contain invisible or text-direction characters.';
  if (WINDOWS_RESERVED.test(name)) return `"${name}" is a reserved name on Windows.`;
  return null;
}

/** Names are compared the way case-insensitive file systems (macOS, Windows) compare them. */
export const sameModelName = (a: string, b: string): boolean =>
  a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase();

export const modelName: Guard<string> = (v, p) => {
  const s = str(MODEL_NAME_MAX * 4)(v, p);
  const problem = modelNameError(s);
  if (problem !== null) throw new ValidationError(p, problem);
  return s;
};

/** A folder path typed by the user (browser mode). Its meaning is checked by the host. */
export const folderPath: Guard<string> = (v, p) => {
  const s = str(FOLDER_PATH_MAX)(v, p);
  if (s.trim() === '') throw new ValidationError(p, 'the folder path is empty');
  if (s.includes('\0')) throw new ValidationError(p, 'the folder path contains a NUL character');
  return s;
};

export interface SaveModelArg {
  name: string;
  /** Replace a model of the same name (the UI asks first). */
  overwrite: boolean;
}
export interface ModelNameArg {
  name: string;
}
export interface RenameModelArg {
  from: string;
  to: string;
}
/** tfjs: the model folder (model.json + weights.bin); onnx: one .onnx file any ONNX runtime reads. */
export type ExportFormat = 'tfjs' | 'onnx';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['tfjs', 'onnx'];

export interface ExportModelArg {
  name: string;
  /** null in the desktop app, which asks with a native dialog; a typed path in browser mode. */
  folder: string | null;
  format: ExportFormat;
}
/** Where an export went: the folder (tfjs) or the file (onnx). */
export interface ExportResult {
  path: string;
  format: ExportFormat;
}
export interface ImportModelArg {
  /** As for export: null asks with a dialog, a string is a typed path (browser mode only). */
  folder: string | null;
}

export const saveModelArg: Guard<SaveModelArg> = object({ name: modelName, overwrite: bool });
export const modelNameArg: Guard<ModelNameArg> = object({ name: modelName });
export const renameModelArg: Guard<RenameModelArg> = object({ from: modelName, to: modelName });
export const exportFormat: Guard<ExportFormat> = literal(...EXPORT_FORMATS);
export const exportModelArg: Guard<ExportModelArg> = object({
  name: modelName,
  folder: nullable(folderPath),
  format: exportFormat,
});
export const importModelArg: Guard<ImportModelArg> = object({ folder: nullable(folderPath) });
/** model:choose-folder takes the same argument as import: null asks with a dialog. */
export type ChooseFolderArg = ImportModelArg;
export const chooseFolderArg: Guard<ChooseFolderArg> = importModelArg;
