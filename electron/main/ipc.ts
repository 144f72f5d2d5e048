// Electron IPC over the shared contract: one ipcMain.handle per invoke channel, all answered by the
// same dispatcher as browser mode, and training events pushed to the window.
import { ipcMain, type BrowserWindow } from 'electron';
import type { Dispatch } from '../../src/host/dispatch.ts';
import type { TrainingHost } from '../../src/host/training-host.ts';
import { INVOKE_CHANNELS, type EventChannel, type Result } from '../../src/shared/contract.ts';
import { envelope } from '../../src/shared/errors.ts';
import { isTrustedSender } from './sender.ts';

const EVENT: EventChannel = 'training:event';

export interface IpcWiring {
  /** The current window (macOS may close it and open another while the app runs). */
  window: () => BrowserWindow | null;
  /** Origin of our renderer: app://studio, or the dev server's. */
  origin: string;
  dispatch: Dispatch;
  host: TrainingHost;
}

/** Registers the handlers; returns a function that removes them again. */
export function wireIpc({ window, origin, dispatch, host }: IpcWiring): () => void {
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, async (event, arg: unknown): Promise<Result<unknown>> => {
      const win = window();
      const contents = win && !win.isDestroyed() ? win.webContents : null;
      if (!isTrustedSender(event, contents, origin))
        return {
          ok: false,
          error: envelope('BAD_REQUEST', `${channel}: refused a request from an unknown frame.`),
        };
      return dispatch(channel, arg);
    });
  }
  const unsubscribe = host.onEvent((e) => {
    const win = window();
    if (win && !win.isDestroyed()) win.webContents.send(EVENT, e);
  });
  return () => {
    unsubscribe();
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}
