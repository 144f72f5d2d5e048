// Browser mode's stand-in for Electron IPC: JSON text frames over one WebSocket per tab.
//
//   client -> server  {"kind":"invoke","id":7,"channel":"training:start","arg":{...}}
//   server -> client  {"kind":"result","id":7,"result":{"ok":true,"value":{...}}}
//                     {"kind":"event","channel":"training:event","payload":{...}}
//                     {"kind":"error","error":{"code":"BAD_REQUEST","message":"..."}}
//
// Float32Arrays travel as plain number arrays (JSON has no typed arrays; NaN becomes null).
// A bad frame is answered, never fatal: the socket and the server keep going.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WebSocketServer, type RawData } from 'ws';
import type { EventChannel, Result } from '../shared/contract.ts';
import { envelope, type ErrorEnvelope } from '../shared/errors.ts';
import type { TrainingEvent } from '../shared/events.ts';
import { MAX_JSON_DEPTH, describeValue, nestsDeeperThan } from '../shared/json-depth.ts';
import { isPlainObject } from '../shared/guard.ts';
import type { Dispatch } from './dispatch.ts';
import { SocketFlow, type FlowLimits } from './ws-flow.ts';

export const WS_PATH = '/ws';
/** Far above any legal request (a drawing is 784 numbers); protects against memory abuse. */
export const MAX_PAYLOAD = 1024 * 1024;
export type ServerMessage =
  | { kind: 'result'; id: number; result: Result<unknown> }
  | { kind: 'event'; channel: EventChannel; payload: TrainingEvent }
  | { kind: 'error'; error: ErrorEnvelope };

/** T with every typed array (Float32Array, Uint8Array) replaced by number[]: what JSON can carry. */
export type Wire<T> = T extends Float32Array | Uint8Array
  ? number[]
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** Deep copy with typed arrays as plain arrays (e.g. `filters` events' kernels[].values). */
export function toWire<T>(value: T): Wire<T> {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>) as Wire<T>;
  if (Array.isArray(value)) return value.map((v: unknown) => toWire(v)) as Wire<T>;
  if (isPlainObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toWire(v)])) as Wire<T>;
  return value as Wire<T>;
}

/** The inverse for requests: `model:predict` / `model:inspect` pixels arrive as a number array. */
export function fromWireArg(channel: unknown, arg: unknown): unknown {
  // Only all-number arrays are converted: Float32Array.from would quietly coerce "0.5" or true.
  if (
    (channel === 'model:predict' || channel === 'model:inspect') &&
    Array.isArray(arg) &&
    arg.every((x) => typeof x === 'number')
  )
    return Float32Array.from(arg as number[]);
  return arg;
}

type Frame =
  | { ok: true; id: number; channel: unknown; arg: unknown }
  | { ok: false; id: number | null; message: string };

const INVOKE_KEYS = new Set(['kind', 'id', 'channel', 'arg']);

export function parseFrame(data: RawData, isBinary: boolean): Frame {
  if (isBinary)
    return { ok: false, id: null, message: 'Binary frames are not supported; send JSON text.' };
  const text = rawToString(data);
  // Measured before anything recurses into it: a 5 000-deep frame once crashed the process.
  if (nestsDeeperThan(text))
    return {
      ok: false,
      id: null,
      message: `The frame nests deeper than ${MAX_JSON_DEPTH} levels.`,
    };
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, id: null, message: 'The frame is not valid JSON.' };
  }
  if (!isPlainObject(msg))
    return { ok: false, id: null, message: 'Expected an object like {"kind":"invoke",...}.' };
  if (msg['kind'] !== 'invoke')
    return {
      ok: false,
      id: null,
      message: `Unknown kind ${describeValue(msg['kind'])}; expected "invoke".`,
    };
  const id = msg['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    return { ok: false, id: null, message: 'id must be a whole number >= 0.' };
  // From here on the client can match the answer to its request, so errors become results.
  const extra = Object.keys(msg).find((k) => !INVOKE_KEYS.has(k));
  if (extra !== undefined) return { ok: false, id, message: `${extra}: unknown field` };
  if (!('arg' in msg))
    return { ok: false, id, message: 'arg: missing (send null when there is none)' };
  return { ok: true, id, channel: msg['channel'], arg: msg['arg'] };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

export interface Refusal {
  status: 400 | 401 | 403 | 404;
  reason: string;
}

export interface WsTransportOptions {
  dispatch: Dispatch;
  /** Where events come from (TrainingHost.onEvent); returns the unsubscribe function. */
  subscribe: (listener: (event: TrainingEvent) => void) => () => void;
  /** Decides whether an upgrade to WS_PATH may proceed: null admits, a Refusal rejects. */
  admit: (req: IncomingMessage) => Refusal | null;
  log?: (message: string) => void;
  maxPayload?: number;
  /** Overrides the flow limits of ./ws-flow.ts (tests use small ones). */
  flow?: FlowLimits;
}

export interface WsTransport {
  clientCount(): number;
  close(): Promise<void>;
}

export function attachWsTransport(server: Server, o: WsTransportOptions): WsTransport {
  const log = o.log ?? console.error;
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxPayload ?? MAX_PAYLOAD });
  wss.on('error', (e) => log(`WebSocket server error: ${e.message}`));

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refusal = path === WS_PATH ? o.admit(req) : { status: 404 as const, reason: 'Not found' };
    if (refusal) return refuse(socket, refusal);
    wss.handleUpgrade(req, socket, head, (ws) => connected(ws));
  };
  server.on('upgrade', onUpgrade);

  const flows = new WeakMap<WebSocket, SocketFlow>();
  const sendText = (ws: WebSocket, text: string): void => flows.get(ws)?.send(text);
  const send = (ws: WebSocket, message: ServerMessage): void =>
    sendText(ws, JSON.stringify(toWire(message)));

  const connected = (ws: WebSocket): void => {
    // 'error' fires for protocol violations such as a frame over maxPayload; ws then closes the
    // socket (1009) by itself. Handling it keeps one bad tab from crashing the process.
    ws.on('error', (e) => log(`WebSocket client error: ${e.message}`));
    const flow = new SocketFlow(ws, o.flow ?? {}, log);
    flows.set(ws, flow);
    ws.on('message', (data, isBinary) =>
      flow.take(() =>
        answer(ws, data, isBinary).catch((e: unknown) => {
          // Whatever a frame holds, it must not take the process (and a run) down with it.
          log(`WebSocket frame not handled: ${(e as Error).message}`);
          send(ws, {
            kind: 'error',
            error: envelope('BAD_REQUEST', 'The frame could not be handled.'),
          });
        }),
      ),
    );
  };

  const answer = async (ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> => {
    const frame = parseFrame(data, isBinary);
    if (!frame.ok) {
      const error = envelope('BAD_REQUEST', frame.message);
      return frame.id === null
        ? send(ws, { kind: 'error', error })
        : send(ws, { kind: 'result', id: frame.id, result: { ok: false, error } });
    }
    return o
      .dispatch(frame.channel, fromWireArg(frame.channel, frame.arg))
      .then((result) => send(ws, { kind: 'result', id: frame.id, result }))
      .catch((e: unknown) => log(`WebSocket answer not sent: ${(e as Error).message}`));
  };

  const unsubscribe = o.subscribe((event) => {
    const text = JSON.stringify(
      toWire<ServerMessage>({ kind: 'event', channel: 'training:event', payload: event }),
    );
    for (const ws of wss.clients) sendText(ws, text);
  });

  return {
    clientCount: () => wss.clients.size,
    close: async () => {
      server.off('upgrade', onUpgrade);
      unsubscribe();
      for (const ws of wss.clients) ws.close(1001, 'Server shutting down');
      // wss.close() resolves once every client is gone; a tab that never answers the close
      // handshake is cut off rather than holding up shutdown.
      const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
      const timer = setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), 2000);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** Refuses a handshake with a plain HTTP status, as ws itself does, then drops the socket. */
function refuse(socket: Duplex, { status, reason }: Refusal): void {
  const text = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[
    status
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}
