// The one place that knows where the app runs. Electron: the preload's `window.studio`.
// Browser: a WebSocket to ws(s)://<this host>/ws?token=<the token in this page's ?token=…>.
import type { EventChannels, InvokeChannel, StudioApi } from '$shared/contract.ts';
import { envelope, errorText } from '$shared/errors.ts';
import type { ConnectionStatus, StudioClient } from './client.ts';
import { createWsClient } from './ws-client.ts';

const isStudioApi = (v: unknown): v is StudioApi =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as StudioApi).invoke === 'function' &&
  typeof (v as StudioApi).on === 'function';

export function createStudioClient(): StudioClient {
  const bridge: unknown = window.studio;
  if (isStudioApi(bridge)) return fromBridge(bridge);
  if (location.protocol !== 'http:' && location.protocol !== 'https:')
    return unavailable(
      location.href,
      'The desktop bridge (window.studio) is missing, and a page opened from a file has no server to connect to.',
    );
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const base = `${scheme}://${location.host}/ws`;
  return createWsClient({
    url: `${base}?token=${encodeURIComponent(token)}`,
    endpoint: base,
    connect: (url) => new WebSocket(url),
    hint:
      token === ''
        ? 'This page address has no ?token=…; open the link printed by npm run serve.'
        : 'Is the training server (npm run serve) still running?',
  });
}

/** Electron: invoke and events go through the preload; the connection cannot drop. */
function fromBridge(bridge: StudioApi): StudioClient {
  const status: ConnectionStatus = {
    state: 'ipc',
    attempt: 0,
    retryAt: null,
    endpoint: 'desktop',
    reason: null,
  };
  return {
    mode: 'electron',
    async invoke(channel, arg) {
      try {
        return await bridge.invoke(channel, arg);
      } catch (e) {
        // Errors should arrive as Result envelopes; a throw means the bridge itself broke.
        return {
          ok: false,
          error: envelope('INTERNAL', `${channel as InvokeChannel} failed`, errorText(e)),
        };
      }
    },
    on<C extends keyof EventChannels>(channel: C, listener: (payload: EventChannels[C]) => void) {
      return bridge.on(channel, listener);
    },
    onConnection(listener) {
      listener(status);
      return () => {};
    },
    onProblem() {
      return () => {};
    },
    close() {},
  };
}

function unavailable(endpoint: string, reason: string): StudioClient {
  const status: ConnectionStatus = {
    state: 'unavailable',
    attempt: 0,
    retryAt: null,
    endpoint,
    reason,
  };
  return {
    mode: 'electron',
    invoke: () => Promise.resolve({ ok: false, error: envelope('INTERNAL', reason) }),
    on: () => () => {},
    onConnection(listener) {
      listener(status);
      return () => {};
    },
    onProblem: () => () => {},
    close() {},
  };
}
