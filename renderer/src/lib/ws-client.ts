// StudioApi over a WebSocket, for browser mode: the transport (connect, reconnect with backoff,
// requests matched to answers). The messages and their one codec, shared with the server
// (src/host/ws-transport.ts), are in src/wire: MessagePack binary frames, every event and answer
// checked by the guards that check IPC before anyone sees it. When the socket drops, pending
// invokes resolve with an error and the client reconnects; the app resyncs with training:status.
//
// No DOM types here (the socket and timers are injected) so the client is testable under Node.
import type {
  EventChannels,
  InvokeArg,
  InvokeChannel,
  InvokeResult,
  Result,
} from '$shared/contract.ts';
import { envelope, errorText, type ErrorEnvelope } from '$shared/errors.ts';
import type { TrainingEvent } from '$shared/events.ts';
import { assertNever } from '$shared/guard.ts';
import { invokeResult } from '$shared/result-validate.ts';
import { frameBytes } from '$wire/codec.ts';
import { encodeMessage, readServerMessage } from '$wire/frames.ts';
import type { ConnectionStatus, StudioClient } from './client.ts';

/** The part of the browser's WebSocket this client uses. */
export interface SocketLike {
  /** Set to 'arraybuffer' by the client: a browser's default, 'blob', cannot be read at once. */
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string }) => void,
  ): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WsClientOptions {
  url: string;
  /** Opens a socket; may throw (e.g. a malformed URL), which counts as a failed attempt. */
  connect: (url: string) => SocketLike;
  /** First retry delay; doubles per failed attempt up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  now?: () => number;
  /** 0..1, for jitter. */
  random?: () => number;
  /** Shown in the connection status, e.g. the URL without its token. */
  endpoint?: string;
  /** Extra words for the "cannot connect" explanation, e.g. that the URL has no token. */
  hint?: string;
}

type Pending = { channel: InvokeChannel; resolve: (r: Result<unknown>) => void };
type Listener = (payload: TrainingEvent) => void;

export const CONNECTION_LOST = 'The connection to the training server was lost before it answered.';
export const NOT_CONNECTED = 'Not connected to the training server.';

export function createWsClient(options: WsClientOptions): StudioClient {
  const initialDelay = options.initialDelayMs ?? 300;
  const maxDelay = options.maxDelayMs ?? 5000;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer =
    options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;

  const eventListeners = new Set<Listener>();
  const statusListeners = new Set<(s: ConnectionStatus) => void>();
  const problemListeners = new Set<(p: ErrorEnvelope) => void>();
  const pending = new Map<number, Pending>();

  let socket: SocketLike | null = null;
  let open = false;
  let everOpened = false;
  let closed = false;
  let nextId = 1;
  let retryTimer: unknown = null;
  let status: ConnectionStatus = {
    state: 'connecting',
    attempt: 0,
    retryAt: null,
    endpoint: options.endpoint ?? options.url,
    reason: null,
  };

  const setStatus = (patch: Partial<ConnectionStatus>): void => {
    status = { ...status, ...patch };
    for (const l of [...statusListeners]) l(status);
  };
  const problem = (p: ErrorEnvelope): void => {
    for (const l of [...problemListeners]) l(p);
  };
  const settleAll = (error: ErrorEnvelope): void => {
    const all = [...pending.values()];
    pending.clear();
    for (const p of all) p.resolve({ ok: false, error });
  };

  function attempt(): void {
    retryTimer = null;
    if (closed) return;
    let s: SocketLike;
    try {
      s = options.connect(options.url);
    } catch (e) {
      failed(errorText(e));
      return;
    }
    socket = s;
    s.binaryType = 'arraybuffer';
    s.addEventListener('open', () => {
      if (socket !== s) return;
      open = true;
      everOpened = true;
      setStatus({ state: 'open', attempt: 0, retryAt: null, reason: null });
    });
    s.addEventListener('message', (ev) => {
      if (socket === s) receive(ev.data);
    });
    // No 'error' listener: a close event always follows an error, and that is where we retry.
    s.addEventListener('close', (ev) => {
      if (socket !== s) return;
      socket = null;
      open = false;
      settleAll(envelope('INTERNAL', CONNECTION_LOST));
      const why =
        ev.reason || (ev.code === 1006 ? 'No answer from the server' : `Closed (${ev.code})`);
      failed(why);
    });
  }

  function failed(reason: string): void {
    if (closed) return;
    const n = status.attempt + 1;
    const base = Math.min(maxDelay, initialDelay * 2 ** (n - 1));
    const delay = Math.round(base * (0.8 + 0.4 * random()));
    setStatus({
      state: everOpened ? 'lost' : 'connecting',
      attempt: n,
      retryAt: now() + delay,
      reason: options.hint && !everOpened ? `${reason}. ${options.hint}` : reason,
    });
    retryTimer = setTimer(attempt, delay);
  }

  function receive(data: unknown): void {
    if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
      problem(envelope('BAD_REQUEST', 'The server sent a text message; expected a binary frame.'));
      return;
    }
    const msg = readServerMessage(frameBytes(data));
    switch (msg.kind) {
      case 'unreadable':
        problem(msg.problem);
        // Perhaps it was an answer: the requests waiting are told, rather than left waiting.
        if (msg.mayBeAnswer) settleAll(msg.problem);
        return;
      case 'event':
        for (const l of [...eventListeners]) l(msg.event);
        return;
      case 'error':
        problem({
          ...msg.error,
          message: `The server could not read a request: ${msg.error.message}`,
        });
        // The server could not tell which request it was, so nothing else will answer them.
        return settleAll(msg.error);
      case 'result':
        return receiveResult(msg.id, msg.result);
      default:
        assertNever(msg);
    }
  }

  function receiveResult(id: unknown, result: Result<unknown>): void {
    const entry = typeof id === 'number' ? pending.get(id) : undefined;
    if (entry === undefined) {
      problem(
        envelope('BAD_REQUEST', `The server answered an unknown request id ${JSON.stringify(id)}.`),
      );
      return;
    }
    pending.delete(id as number);
    if (!result.ok) return entry.resolve(result);
    try {
      // Every answer, whatever its channel, is checked by that channel's guard.
      entry.resolve({ ok: true, value: invokeResult[entry.channel](result.value, 'value') });
    } catch (e) {
      entry.resolve({
        ok: false,
        error: envelope(
          'BAD_REQUEST',
          `The server's answer to ${entry.channel} could not be read.`,
          errorText(e),
        ),
      });
    }
  }

  const client: StudioClient = {
    mode: 'browser',
    invoke<C extends InvokeChannel>(
      channel: C,
      arg: InvokeArg<C>,
    ): Promise<Result<InvokeResult<C>>> {
      if (closed || !open || socket === null)
        return Promise.resolve({ ok: false, error: envelope('INTERNAL', NOT_CONNECTED) });
      const id = nextId++;
      const s = socket;
      let frame: Uint8Array;
      try {
        frame = encodeMessage({ kind: 'invoke', id, channel, arg });
      } catch (e) {
        const why = errorText(e);
        const error = envelope('BAD_REQUEST', `The ${channel} request could not be encoded.`, why);
        return Promise.resolve({ ok: false, error });
      }
      return new Promise((resolve) => {
        pending.set(id, { channel, resolve: resolve as (r: Result<unknown>) => void });
        try {
          s.send(frame);
        } catch (e) {
          pending.delete(id);
          resolve({ ok: false, error: envelope('INTERNAL', NOT_CONNECTED, errorText(e)) });
        }
      });
    },
    on<C extends keyof EventChannels>(
      _channel: C,
      listener: (payload: EventChannels[C]) => void,
    ): () => void {
      const l = listener as Listener;
      eventListeners.add(l);
      return () => eventListeners.delete(l);
    },
    onConnection(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => statusListeners.delete(listener);
    },
    onProblem(listener) {
      problemListeners.add(listener);
      return () => problemListeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      if (retryTimer !== null) clearTimer(retryTimer);
      retryTimer = null;
      const s = socket;
      socket = null;
      open = false;
      settleAll(envelope('INTERNAL', CONNECTION_LOST));
      s?.close(1000, 'client closed');
    },
  };

  attempt();
  return client;
}
