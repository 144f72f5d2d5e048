// What the app needs from a transport: the shared StudioApi plus the connection's health.
import type { StudioApi } from '$shared/contract.ts';
import type { ErrorEnvelope } from '$shared/errors.ts';

export type ConnectionState =
  /** Not connected yet: the first attempt, or retries before the server was ever reached. */
  | 'connecting'
  | 'open'
  /** Was connected, dropped, retrying with backoff. */
  | 'lost'
  /** Electron's preload bridge: always there, nothing to reconnect. */
  | 'ipc'
  /** No way to reach a training host at all (e.g. a desktop build without its preload). */
  | 'unavailable';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Failed attempts since the last successful connection. */
  attempt: number;
  /** When the next attempt starts (ms since the epoch), if one is scheduled. */
  retryAt: number | null;
  /** Where we connect, shown in the error detail. */
  endpoint: string;
  /** Why the last attempt failed or why there is no connection, if known. */
  reason: string | null;
}

export interface StudioClient extends StudioApi {
  readonly mode: 'electron' | 'browser';
  /** Called at once with the current status, then on every change. Returns unsubscribe. */
  onConnection(listener: (status: ConnectionStatus) => void): () => void;
  /** Messages the client received but could not use (bad JSON, an unknown event, server errors). */
  onProblem(listener: (problem: ErrorEnvelope) => void): () => void;
  close(): void;
}

export const isConnected = (s: ConnectionStatus): boolean =>
  s.state === 'open' || s.state === 'ipc';

/** Calls `fn` on every (re)connection: a list kept by the host is fetched again. Returns unsubscribe. */
export function onConnect(client: StudioClient, fn: () => void): () => void {
  let connected = false;
  return client.onConnection((c) => {
    const now = isConnected(c);
    if (now && !connected) fn();
    connected = now;
  });
}
