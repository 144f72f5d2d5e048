// Where export and import may read and write outside the models folder. The renderer is not
// trusted with paths: the desktop app asks the user with a native dialog in main and refuses any
// path a page sends (electron/main/folders.ts); browser mode, where the page runs in a browser
// the server cannot show dialogs in, accepts a typed absolute path only while the server is bound
// to this computer (the person at the keyboard types it). Exported folders never replace anything.
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { libraryError } from '../library/errors.ts';

export interface FolderPicker {
  /** The folder to create `<folder>/<name>` in, or null when the user cancelled. */
  exportFolder(typed: string | null, name: string): Promise<string | null>;
  /** The model folder to import, or null when the user cancelled. */
  importFolder(typed: string | null): Promise<string | null>;
  /** A new models folder (desktop only; browser mode takes --models DIR), or null if cancelled. */
  modelsFolder?(typed: string | null): Promise<string | null>;
  /** A folder holding the four IDX files to train on, or null when the user cancelled. */
  dataFolder(typed: string | null): Promise<string | null>;
  /** A folder holding an images and a labels IDX file to add to My handwriting, or null. */
  drawingsFolder(typed: string | null): Promise<string | null>;
}

/** No export or import at all (the default for a dispatcher that was not given a picker). */
export function noFolders(reason = 'Export and import are not available here.'): FolderPicker {
  const refuse = (): never => {
    throw libraryError('BAD_REQUEST', reason);
  };
  return {
    exportFolder: async () => refuse(),
    importFolder: async () => refuse(),
    dataFolder: async () => refuse(),
    drawingsFolder: async () => refuse(),
  };
}

async function existingFolder(typed: string | null): Promise<string> {
  if (typed === null)
    throw libraryError(
      'BAD_REQUEST',
      'Type the full path of a folder on the computer that runs CNN Studio.',
    );
  if (!isAbsolute(typed))
    throw libraryError(
      'BAD_REQUEST',
      `"${typed}" is not a full path; start it with / (or a drive letter).`,
    );
  const folder = resolve(typed);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw libraryError('NOT_FOUND', `There is no folder ${folder}.`);
  return folder;
}

/** Browser mode on loopback, the CLI and tests: a typed absolute path to an existing folder. */
export function typedFolders(): FolderPicker {
  return {
    exportFolder: (typed) => existingFolder(typed),
    importFolder: (typed) => existingFolder(typed),
    dataFolder: (typed) => existingFolder(typed),
    drawingsFolder: (typed) => existingFolder(typed),
  };
}
