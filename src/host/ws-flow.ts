// Flow control for one browser-mode WebSocket, so that a client cannot make the server hold
// more than a bounded amount for it. A client that sent 300 inspect requests and read nothing
// once grew the server by 113 MB.
//
// - Input: at most MAX_IN_FLIGHT requests of one socket are worked on at once; while more wait,
//   or its unsent output is over budget, the server stops reading the socket, so a flood waits
//   in the client's buffers, not here. (Pausing stops the reads, not the frames already read:
//   those, at most one read's worth, wait in a queue.)
// - Output: answers are bounded by the above. Events are broadcast and cannot wait, so a socket
//   whose queue passes HARD_LIMIT × the budget is cut off.
// - A socket that stays over budget for STALL_MS is not draining at all, and is cut off.
// A cut-off tab reconnects and resyncs with training:status, as after any other disconnect.
import { WebSocket } from 'ws';

/** Unsent output one socket may have beyond what the OS took. */
export const MAX_BUFFERED = 16 * 1024 * 1024;
/** Requests one socket may have unanswered before the server stops reading it. */
export const MAX_IN_FLIGHT = 8;
const HARD_LIMIT = 4;
const STALL_MS = 30_000;

export interface FlowLimits {
  maxBuffered?: number;
  stallMs?: number;
}

export class SocketFlow {
  private inFlight = 0;
  private readonly waiting: (() => Promise<void>)[] = [];
  private stall: ReturnType<typeof setTimeout> | undefined;
  private readonly maxBuffered: number;
  private readonly stallMs: number;

  constructor(
    private readonly ws: WebSocket,
    limits: FlowLimits,
    private readonly log: (message: string) => void,
  ) {
    this.maxBuffered = limits.maxBuffered ?? MAX_BUFFERED;
    this.stallMs = limits.stallMs ?? STALL_MS;
    ws.once('close', () => {
      clearTimeout(this.stall);
      this.waiting.length = 0;
    });
  }

  /** Runs `work` (answering one request) now, or when an earlier request has been answered. */
  take(work: () => Promise<void>): void {
    this.waiting.push(work);
    this.next();
  }

  private next(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.waiting.length > 0) {
      const work = this.waiting.shift()!;
      this.inFlight++;
      void work().finally(() => {
        this.inFlight--;
        this.next();
      });
    }
    this.update();
  }

  /** Sends unless the socket is hopelessly behind, in which case it is cut off. */
  send(frame: Uint8Array): void {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.maxBuffered * HARD_LIMIT) return this.cutOff();
    ws.send(frame, { binary: true }, () => this.update());
    this.update();
  }

  private update(): void {
    const ws = this.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    const behind = ws.bufferedAmount > this.maxBuffered;
    const hold = behind || this.waiting.length > 0;
    if (hold && !ws.isPaused) ws.pause();
    else if (!hold && ws.isPaused) ws.resume();
    if (!behind) {
      clearTimeout(this.stall);
      this.stall = undefined;
    } else this.stall ??= setTimeout(() => this.cutOff(), this.stallMs);
  }

  private cutOff(): void {
    // terminate, not close: a close frame would wait behind the same unread bytes.
    this.log(
      `WebSocket client dropped: it stopped reading (${this.ws.bufferedAmount} bytes waiting)`,
    );
    clearTimeout(this.stall);
    this.ws.terminate();
  }
}
