// The one app window, locked down per Electron's security checklist: no Node in the page, a
// sandboxed preload that exposes only window.studio, no popups, no navigation away from our
// renderer, no permission prompts (the app needs none), and a CSP (see protocol.ts).
import { BrowserWindow, nativeTheme } from 'electron';
import { originOf } from './sender.ts';

/** Close to the renderer's page colours, so the window does not flash while it loads. */
const background = (): string => (nativeTheme.shouldUseDarkColors ? '#16181d' : '#ffffff');

export interface WindowOptions {
  /** Absolute path of the built preload script. */
  preload: string;
  /** What to load: app://studio/index.html, or the dev server's URL under `electron-vite dev`. */
  url: string;
}

export function createMainWindow({ preload, url }: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    title: 'CNN Studio',
    width: 1280,
    height: 860,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    backgroundColor: background(),
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      // Middle-click (auxclick) could open a link outside setWindowOpenHandler's reach.
      disableBlinkFeatures: 'Auxclick',
    },
  });
  const origin = originOf(url);
  const contents = win.webContents;

  win.once('ready-to-show', () => win.show());
  const onTheme = (): void => win.setBackgroundColor(background());
  nativeTheme.on('updated', onTheme);
  win.once('closed', () => nativeTheme.off('updated', onTheme));

  // No new windows: the app has no links that need one, and a popup would escape these settings.
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  // Stay on our renderer (e.g. a file dropped on the window or a stray link must not replace it).
  const stayHome = (e: { preventDefault(): void }, target: string): void => {
    if (origin === null || originOf(target) !== origin) e.preventDefault();
  };
  contents.on('will-navigate', (e) => stayHome(e, e.url));
  contents.on('will-redirect', (e) => stayHome(e, e.url));
  contents.on('will-attach-webview', (e) => e.preventDefault());

  // Camera, microphone, notifications, geolocation, HID, serial...: never asked, never granted.
  const session = contents.session;
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);

  void win.loadURL(url);
  return win;
}
