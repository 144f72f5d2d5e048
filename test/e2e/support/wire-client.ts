// A Node-side client of the browser-mode WebSocket, speaking its protocol with the app's own codec
// (src/wire). The suite uses it as "another client": to read the host's state
// without going through a page, to reset the host between tests, and to see the HTTP status a
// refused handshake gets (a browser only reports "closed").
import { WebSocket } from 'ws';
import type { AppStatus, Result } from '../../../src/shared/contract.ts';
import { decode, encode, frameBytes } from '../../../src/wire/codec.ts';

export interface WireEndpoint {
  port: number;
  token: string;
}

export const wsUrl = ({ port }: WireEndpoint, token: string | null): string =>
  `ws://127.0.0.1:${port}/ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;

/** The Origin a page served by this server sends: the server requires exactly this. */
export const pageOrigin = ({ port }: WireEndpoint): string => `http://127.0.0.1:${port}`;

export class WireClient {
  private nextId = 1;
  private readonly pending = new Map<number, (r: Result<unknown>) => void>();
  /** Called with every pushed event (channel + payload); the suite mostly does not need them. */
  onEvent: ((channel: string, payload: unknown) => void) | null = null;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const msg = decode(frameBytes(data as Buffer)) as {
        kind: string;
        id?: number;
        result?: unknown;
        channel?: string;
        payload?: unknown;
      };
      if (msg.kind === 'event' && msg.channel !== undefined)
        this.onEvent?.(msg.channel, msg.payload);
      if (msg.kind !== 'result' || msg.id === undefined) return;
      this.pending.get(msg.id)?.(msg.result as Result<unknown>);
      this.pending.delete(msg.id);
    });
    // A dropped socket surfaces as 'close' below; without a listener 'error' would throw.
    socket.on('error', () => {});
    socket.on('close', () => {
      for (const resolve of this.pending.values())
        resolve({ ok: false, error: { code: 'INTERNAL', message: 'socket closed' } });
      this.pending.clear();
    });
  }

  static async connect(endpoint: WireEndpoint): Promise<WireClient> {
    const socket = new WebSocket(wsUrl(endpoint, endpoint.token), {
      origin: pageOrigin(endpoint),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new WireClient(socket);
  }

  invoke(channel: string, arg: unknown): Promise<Result<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.socket.send(encode({ kind: 'invoke', id, channel, arg }));
    });
  }

  async status(): Promise<AppStatus> {
    const r = await this.invoke('training:status', null);
    if (!r.ok) throw new Error(`training:status failed: ${r.error.message}`);
    return r.value as AppStatus;
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Tries a WebSocket handshake and reports how it ended: 'open', or the HTTP status of the refusal.
 * Used to show that a socket without the token (or from another origin) never opens.
 */
export function handshake(url: string, origin: string | undefined): Promise<number | 'open'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      socket.terminate();
    });
    socket.on('error', (e) => reject(e)); // after a refusal, terminate() reports one too
  });
}
