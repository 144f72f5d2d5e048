// Reading a saved model folder from disk: model.json first (for listing), then the weight files,
// each through the checks of ./model-files.ts. Every file is looked at before it is read: a symlink,
// a folder that may not be opened, a file over its limit each get their own ModelFileError.
import { lstat, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { errorText } from '../shared/errors.ts';
import {
  MAX_MODEL_JSON_BYTES,
  MAX_WEIGHT_BYTES,
  MODEL_JSON,
  ModelFileError,
  checkFinite,
  parseModelJson,
  type ModelFiles,
  type ModelJson,
} from './model-files.ts';

const isDenied = (e: unknown): boolean =>
  ['EACCES', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? '');

/** A folder the user may not open is not a folder without model.json: say which it is. */
const deniedFolder = (folder: string): ModelFileError =>
  new ModelFileError(
    'unreadable',
    `permission denied: the folder ${folder} cannot be opened`,
    folder,
  );

async function readLimited(path: string, limit: number, what: string): Promise<Buffer> {
  let info;
  try {
    info = await lstat(path);
  } catch (e) {
    if (isDenied(e)) throw deniedFolder(dirname(path));
    throw new ModelFileError('missing', `${what} is missing`, path);
  }
  // A symlink could point anywhere on the disk: the folder must hold the real files.
  if (info.isSymbolicLink())
    throw new ModelFileError(
      'path',
      `${what} is a symbolic link; copy the real file instead`,
      path,
    );
  if (!info.isFile()) throw new ModelFileError('unreadable', `${what} is not a file`, path);
  if (info.size > limit)
    throw new ModelFileError(
      'too-large',
      `${what} is ${info.size} bytes, over the ${limit} allowed`,
      path,
    );
  try {
    return await readFile(path);
  } catch (e) {
    throw new ModelFileError('unreadable', `${what} cannot be read (${errorText(e)})`, path);
  }
}

/** Reads and checks model.json only (listing). */
export async function readModelJson(dir: string): Promise<ModelJson> {
  const folder = resolve(dir);
  const info = await stat(folder).catch((e: unknown) => {
    if (isDenied(e)) throw deniedFolder(folder);
    return null;
  });
  if (!info?.isDirectory())
    throw new ModelFileError(
      'missing',
      `the model folder ${basename(folder)} does not exist`,
      folder,
    );
  const file = join(folder, MODEL_JSON);
  const text = (await readLimited(file, MAX_MODEL_JSON_BYTES, 'model.json')).toString('utf8');
  return parseModelJson(text, file);
}

/** Total size of the weight files, for listing (no content read). */
export async function weightBytesOnDisk(dir: string, json: ModelJson): Promise<number> {
  let total = 0;
  for (const p of json.paths) total += (await stat(join(dir, p)).catch(() => null))?.size ?? 0;
  return total;
}

/**
 * Reads a model folder and checks everything: model.json, the manifest paths, that the weight
 * files add up to exactly the specs' byte length, the shapes that can be read off the topology,
 * and that every weight is finite.
 */
export async function readModelFolder(dir: string): Promise<ModelFiles> {
  const folder = resolve(dir);
  const json = await readModelJson(folder);
  const parts: Buffer[] = [];
  let total = 0;
  for (const p of json.paths) {
    const path = join(folder, p);
    // manifestPathProblem already refuses anything but a plain name; this is the belt to its braces.
    if (!path.startsWith(folder + sep))
      throw new ModelFileError('path', `the weight file ${p} is outside the folder`, path);
    const bytes = await readLimited(path, MAX_WEIGHT_BYTES - total, p);
    total += bytes.byteLength;
    parts.push(bytes);
  }
  if (total !== json.expectedBytes) {
    const names = json.paths.join(' + ');
    throw new ModelFileError(
      'byte-length',
      `${names} ${json.paths.length > 1 ? 'are' : 'is'} ${total} bytes, but the manifest's weights need exactly ${json.expectedBytes}`,
      join(folder, json.paths[0]!),
    );
  }
  // A fresh, aligned buffer: Float32Array views need a multiple-of-4 offset.
  const weightData = new ArrayBuffer(total);
  const view = new Uint8Array(weightData);
  let at = 0;
  for (const part of parts) {
    view.set(part, at);
    at += part.byteLength;
  }
  checkFinite(json.weightSpecs, weightData, join(folder, json.paths[0]!));
  return { ...json, weightData };
}
