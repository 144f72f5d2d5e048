// Browser mode's stand-in for Electron IPC: one WebSocket per tab, MessagePack binary frames in
// both directions (the messages and their codec are in src/wire, shared with the browser client).
// A bad frame is answered, never fatal: the socket and the server keep going.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WebSocketServer, type RawData } from 'ws';
import type { Result } from '../shared/contract.ts';
import { envelope, errorText } from '../shared/errors.ts';
import type { TrainingEvent } from '../shared/events.ts';
import { frameBytes } from '../wire/codec.ts';
import { encodeMessage, readInvoke, type Invoke, type ServerMessage } from '../wire/frames.ts';
import type { Dispatch } from './dispatch.ts';
import { SocketFlow, type FlowLimits } from './ws-flow.ts';

export const WS_PATH = '/ws';
/** Far above any legal request (a drawing is 3 kB); protects against memory abuse. */
export const MAX_PAYLOAD = 1024 * 1024;

export function parseFrame(data: RawData, isBinary: boolean): Invoke {
  if (!isBinary)
    return {
      ok: false,
      id: null,
      message: 'Text frames are not supported; send MessagePack in binary frames.',
    };
  return readInvoke(frameBytes(data));
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
  const sendFrame = (ws: WebSocket, frame: Uint8Array): void => flows.get(ws)?.send(frame);
  const send = (ws: WebSocket, message: ServerMessage): void =>
    sendFrame(ws, encodeMessage(message));
  /** An answer that cannot be encoded (a bug: say a new channel's Int32Array) still answers. */
  const sendResult = (ws: WebSocket, id: number, result: Result<unknown>): void => {
    let frame: Uint8Array;
    try {
      frame = encodeMessage({ kind: 'result', id, result });
    } catch (e) {
      log(`WebSocket answer not encodable: ${errorText(e)}`);
      const error = envelope('INTERNAL', 'The answer could not be sent.', errorText(e));
      frame = encodeMessage({ kind: 'result', id, result: { ok: false, error } });
    }
    sendFrame(ws, frame);
  };

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
          log(`WebSocket frame not handled: ${errorText(e)}`);
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
        : sendResult(ws, frame.id, { ok: false, error });
    }
    return o
      .dispatch(frame.channel, frame.arg)
      .then((result) => sendResult(ws, frame.id, result))
      .catch((e: unknown) => log(`WebSocket answer not sent: ${errorText(e)}`));
  };

  const unsubscribe = o.subscribe((event) => {
    let frame: Uint8Array;
    try {
      frame = encodeMessage({ kind: 'event', channel: 'training:event', payload: event });
    } catch (e) {
      return log(`WebSocket event not encodable: ${errorText(e)}`);
    }
    for (const ws of wss.clients) sendFrame(ws, frame); // encoded once for every tab
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
