// Folders for export, import and the models folder, chosen by the user in a native dialog shown by
// main. A path sent by the page is refused outright: a compromised renderer must not be able to
// make the app read or write anywhere on the disk, and a dialog means every folder outside the
// models folder was picked by the person at the keyboard. (Browser mode: src/host/folders.ts.)
import { app, dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { FolderPicker } from '../../src/host/folders.ts';
import { writeFileAtomic } from '../../src/library/atomic.ts';
import { libraryError } from '../../src/library/errors.ts';

const NO_PATHS =
  'The desktop app asks for folders with its own dialog and does not accept paths from the page.';

export function dialogFolders(window: () => BrowserWindow | null): FolderPicker {
  const ask = async (typed: string | null, options: OpenDialogOptions): Promise<string | null> => {
    if (typed !== null) throw libraryError('BAD_REQUEST', NO_PATHS);
    const win = window();
    const r =
      win && !win.isDestroyed()
        ? await dialog.showOpenDialog(win, options)
        : await dialog.showOpenDialog(options);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  };
  return {
    exportFolder: (typed, name) =>
      ask(typed, {
        title: `Export "${name}" to a folder`,
        buttonLabel: 'Export here',
        properties: ['openDirectory', 'createDirectory'],
      }),
    importFolder: (typed) =>
      ask(typed, {
        title: 'Import a model folder (model.json and its weight files)',
        buttonLabel: 'Import',
        properties: ['openDirectory'],
      }),
    dataFolder: (typed) =>
      ask(typed, {
        title: 'Train on the IDX files in this folder (MNIST format, e.g. Fashion-MNIST)',
        buttonLabel: 'Use this data',
        properties: ['openDirectory'],
      }),
    drawingsFolder: (typed) =>
      ask(typed, {
        title:
          'Add the drawings in this folder (an images and a labels IDX file) to My handwriting',
        buttonLabel: 'Add these drawings',
        properties: ['openDirectory'],
      }),
    modelsFolder: (typed) =>
      ask(typed, {
        title: 'Keep models in this folder',
        buttonLabel: 'Use this folder',
        properties: ['openDirectory', 'createDirectory'],
      }),
  };
}

const settingsFile = (): string => join(app.getPath('userData'), 'settings.json');

/** The models folder: the one the user chose (settings.json), else <userData>/models. */
export function modelsDirSetting(): string {
  try {
    const json = JSON.parse(readFileSync(settingsFile(), 'utf8')) as { modelsDir?: unknown };
    if (typeof json.modelsDir === 'string' && isAbsolute(json.modelsDir)) return json.modelsDir;
  } catch {
    // no settings yet, or unreadable: the default
  }
  return join(app.getPath('userData'), 'models');
}

export async function saveModelsDirSetting(dir: string): Promise<void> {
  await writeFileAtomic(settingsFile(), JSON.stringify({ modelsDir: dir }, null, 2));
}
