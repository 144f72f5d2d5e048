// Electron's preload exposes the StudioApi as `window.studio` (contextBridge). In a plain browser
// it is absent and lib/api.ts falls back to the WebSocket client.
import type { StudioApi } from '$shared/contract.ts';

declare global {
  interface Window {
    studio?: StudioApi;
  }
}

export {};
