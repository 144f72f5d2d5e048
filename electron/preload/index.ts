// The page's only bridge to the app: `window.studio`, implementing StudioApi from the contract.
// Runs sandboxed, so it may import only 'electron' and code bundled into this one file.
// ipcRenderer itself is never exposed: the page can reach the listed channels and nothing else.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  type EventChannels,
  type StudioApi,
} from '../../src/shared/contract.ts';
import { envelope } from '../../src/shared/errors.ts';

const studio: StudioApi = {
  invoke(channel, arg) {
    if (!INVOKE_CHANNELS.includes(channel))
      return Promise.resolve({
        ok: false,
        error: envelope('BAD_REQUEST', `Unknown channel ${JSON.stringify(String(channel))}.`),
      });
    return ipcRenderer.invoke(channel, arg);
  },
  on(channel, listener) {
    if (!EVENT_CHANNELS.includes(channel))
      throw new Error(`Unknown event channel ${JSON.stringify(String(channel))}.`);
    // The page gets the payload only, never the IpcRendererEvent (which carries `sender`).
    const forward = (_event: IpcRendererEvent, payload: EventChannels[typeof channel]): void =>
      listener(payload);
    ipcRenderer.on(channel, forward);
    return () => {
      ipcRenderer.removeListener(channel, forward);
    };
  },
};

contextBridge.exposeInMainWorld('studio', studio);
