// StudioApi over a WebSocket, for browser mode. The server side (src/host/serve.ts) speaks the same
// JSON protocol:
//
//   client -> server  {"kind":"invoke","id":<int>,"channel":<InvokeChannel>,"arg":<arg>}
//                     (model:predict sends its Float32Array as a plain array of 784 numbers)
//   server -> client  {"kind":"result","id":<int>,"result":{"ok":true,"value":...}
//                                                       | {"ok":false,"error":{code,message,detail?}}}
//                     {"kind":"event","channel":"training:event","payload":<TrainingEvent>}
//                     {"kind":"error","error":{code,message,detail?}}  (a message it could not parse)
//
// What arrives is decoded and checked in wire-decode.ts before anyone sees it. When the socket
// drops, pending invokes resolve with an error and the client reconnects with exponential
// backoff; the app resyncs with training:status.
//
// No DOM types here (the socket and timers are injected) so the client is testable under Node.
import type {
  EventChannels,
  InvokeArg,
  InvokeChannel,
  InvokeResult,
  Result,
} from '$shared/contract.ts';
import { envelope, type ErrorEnvelope } from '$shared/errors.ts';
import type { TrainingEvent } from '$shared/events.ts';
import { isPlainObject } from '$shared/guard.ts';
import type { ConnectionStatus, StudioClient } from './client.ts';
import { describe, readError, reviveEvent, reviveValue } from './wire-decode.ts';

/** The part of the browser's WebSocket this client uses. */
export interface SocketLike {
  send(data: string): void;
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
      failed(e instanceof Error ? e.message : String(e));
      return;
    }
    socket = s;
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
    if (typeof data !== 'string') {
      problem(envelope('BAD_REQUEST', 'The server sent a binary message; expected JSON text.'));
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      problem(
        envelope('BAD_REQUEST', 'The server sent a message that is not JSON.', data.slice(0, 500)),
      );
      return;
    }
    if (!isPlainObject(msg)) {
      problem(envelope('BAD_REQUEST', 'The server sent a message that is not an object.'));
      return;
    }
    switch (msg['kind']) {
      case 'event':
        return receiveEvent(msg);
      case 'result':
        return receiveResult(msg);
      case 'error': {
        const error = readError(msg['error']);
        problem({ ...error, message: `The server could not read a request: ${error.message}` });
        // The server could not tell which request it was, so nothing else will answer them.
        settleAll(error);
        return;
      }
      default:
        problem(
          envelope(
            'BAD_REQUEST',
            `The server sent an unknown message kind ${JSON.stringify(msg['kind'])}.`,
          ),
        );
    }
  }

  function receiveEvent(msg: Record<string, unknown>): void {
    if (msg['channel'] !== 'training:event') {
      problem(
        envelope('BAD_REQUEST', `Event on unknown channel ${JSON.stringify(msg['channel'])}.`),
      );
      return;
    }
    let event: TrainingEvent;
    try {
      event = reviveEvent(msg['payload'], 'payload');
    } catch (e) {
      problem(
        envelope(
          'BAD_REQUEST',
          'The server sent a training event this app cannot read.',
          describe(e),
        ),
      );
      return;
    }
    for (const l of [...eventListeners]) l(event);
  }

  function receiveResult(msg: Record<string, unknown>): void {
    const id = msg['id'];
    const entry = typeof id === 'number' ? pending.get(id) : undefined;
    if (entry === undefined) {
      problem(
        envelope('BAD_REQUEST', `The server answered an unknown request id ${JSON.stringify(id)}.`),
      );
      return;
    }
    pending.delete(id as number);
    const result = msg['result'];
    if (!isPlainObject(result) || typeof result['ok'] !== 'boolean') {
      entry.resolve({
        ok: false,
        error: envelope('BAD_REQUEST', 'The server sent a malformed answer.'),
      });
      return;
    }
    if (!result['ok']) {
      entry.resolve({ ok: false, error: readError(result['error']) });
      return;
    }
    try {
      entry.resolve({ ok: true, value: reviveValue(entry.channel, result['value']) });
    } catch (e) {
      entry.resolve({
        ok: false,
        error: envelope(
          'BAD_REQUEST',
          `The server's answer to ${entry.channel} could not be read.`,
          describe(e),
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
      const wireArg = arg instanceof Float32Array ? Array.from(arg) : arg;
      const s = socket;
      return new Promise((resolve) => {
        pending.set(id, { channel, resolve: resolve as (r: Result<unknown>) => void });
        try {
          s.send(JSON.stringify({ kind: 'invoke', id, channel, arg: wireArg }));
        } catch (e) {
          pending.delete(id);
          resolve({ ok: false, error: envelope('INTERNAL', NOT_CONNECTED, describe(e)) });
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
