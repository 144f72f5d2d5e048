// Functions that run inside the app's page for test/e2e/measure-frames.ts. Playwright sends each
// one as source text, so every function here is self-contained: no imports, no outer variables.
// The page has no codec of its own: frames are encoded by the script (window.__encodeFrame, set up
// with page.exposeFunction) and only looked into here.

export interface SpyMessage {
  t: number;
  type: string;
  bytes: number;
}

/** A main-thread task over 50 ms: when it started (page clock) and how long it took. */
export interface LongTask {
  t: number;
  ms: number;
}

/** What installSpy keeps on globalThis.__spy. */
export interface Spy {
  sockets: EventTarget[];
  messages: SpyMessage[];
}

interface SpyGlobals {
  __spy: Spy;
  WebSocket: new (url: string | URL, protocols?: string | string[]) => EventTarget;
  performance: { now(): number };
  requestAnimationFrame(cb: (t: number) => void): number;
  PerformanceObserver: new (
    cb: (list: { getEntries(): { startTime: number; duration: number; name: string }[] }) => void,
  ) => {
    observe(o: { type: string; buffered?: boolean }): void;
    disconnect(): void;
  };
  MessageEvent: new (type: string, init: { data: ArrayBuffer }) => Event;
  Uint8Array: Uint8ArrayConstructor;
  /** Exposed by measure-frames.ts: a message encoded with the app's codec, as bytes. */
  __encodeFrame(message: object): Promise<number[]>;
  MessageChannel: new () => {
    port1: { onmessage: (() => void) | null };
    port2: { postMessage(x: unknown): void };
  };
  document: { querySelector(s: string): { getAttribute(a: string): string | null } | null };
}

/**
 * Init script: wraps WebSocket so every socket the app opens is recorded, and every message it
 * receives is logged with its arrival time, event type and size, before the app's listener runs.
 */
export function installSpy(): void {
  const g = globalThis as unknown as SpyGlobals;
  const Native = g.WebSocket;
  const spy: Spy = { sockets: [], messages: [] };
  g.__spy = spy;
  g.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      spy.sockets.push(this);
      this.addEventListener('message', (e: Event) => {
        const data = (e as unknown as { data: unknown }).data;
        const bytes = data instanceof ArrayBuffer ? new g.Uint8Array(data) : new g.Uint8Array(0);
        // The payload's type is the short string after the key "type" (MessagePack a4 74 79 70 65)
        // in the first bytes: found without decoding the whole frame a second time.
        let type = 'result';
        const key = [0xa4, 0x74, 0x79, 0x70, 0x65];
        for (let i = 0; i < Math.min(bytes.length, 200) - 6; i++)
          if (key.every((b, j) => bytes[i + j] === b)) {
            const n = bytes[i + 5]! & 0x1f;
            type = String.fromCharCode(...bytes.subarray(i + 6, i + 6 + n));
            break;
          }
        spy.messages.push({ t: g.performance.now(), type, bytes: bytes.length });
      });
    }
  };
}

/** rAF intervals, long tasks and the messages received during the next `ms` milliseconds. */
export async function collectFrames(
  ms: number,
): Promise<{ frames: number[]; longTasks: LongTask[]; messages: SpyMessage[] }> {
  const g = globalThis as unknown as SpyGlobals;
  const longTasks: LongTask[] = [];
  const observer = new g.PerformanceObserver((list) =>
    list.getEntries().forEach((e) => longTasks.push({ t: e.startTime, ms: e.duration })),
  );
  observer.observe({ type: 'longtask' });
  const start = g.performance.now();
  const frames: number[] = [];
  await new Promise<void>((resolve) => {
    let last = -1;
    const tick = (t: number): void => {
      if (last >= 0) frames.push(t - last);
      last = t;
      if (t - start < ms) g.requestAnimationFrame(tick);
      else resolve();
    };
    g.requestAnimationFrame(tick);
  });
  observer.disconnect();
  const end = g.performance.now();
  const messages = g.__spy.messages.filter((m) => m.t >= start && m.t < end);
  return { frames, longTasks, messages };
}

/**
 * Feeds a synthetic run through the app's own socket listener (decoding, validation, reducer,
 * Svelte update and Chart.js redraw, all as for a real message) and times each message until
 * the task it ran in, microtasks included, is over.
 */
export async function timeChartUpdates(o: {
  engine: unknown;
  epochs: number;
  batchesPerEpoch: number;
  tail: number;
}): Promise<{ points: number; bulk: number[]; tail: number[]; chart: number[] }> {
  const g = globalThis as unknown as SpyGlobals;
  const socket = g.__spy.sockets[0];
  if (!socket) throw new Error('the app opened no WebSocket');
  const runId = `synthetic-${Math.round(g.performance.now())}`;
  const afterTask = (): Promise<void> =>
    new Promise((resolve) => {
      const channel = new g.MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
  const deliver = async (payload: object): Promise<number> => {
    const message = { kind: 'event', channel: 'training:event', payload };
    const data = new g.Uint8Array(await g.__encodeFrame(message)).buffer;
    const t0 = g.performance.now();
    socket.dispatchEvent(new g.MessageEvent('message', { data }));
    await afterTask();
    return g.performance.now() - t0;
  };
  const batches = (epoch: number, first: number, n: number): object => {
    const losses: number[] = [];
    const accuracies: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = (epoch - 1) * o.batchesPerEpoch + first + i;
      losses.push(2.3 * Math.exp(-x / 1500) + 0.05 + 0.1 * Math.random());
      accuracies.push(Math.min(1, 0.1 + x / 5000));
    }
    return {
      type: 'batch',
      runId,
      epoch,
      firstBatch: first,
      batchesPerEpoch: o.batchesPerEpoch,
      losses,
      accuracies,
      imagesPerSec: 500,
      elapsedSec: 1,
      etaSec: 1,
    };
  };

  await deliver({
    type: 'run-started',
    runId,
    config: {
      epochs: o.epochs,
      batchSize: 50,
      learningRate: 1e-4,
      trainLimit: 60000,
      testLimit: 10000,
      seed: 1,
    },
    engine: o.engine,
    trainSize: 60000,
    testSize: 10000,
    batchesPerEpoch: o.batchesPerEpoch,
  });
  const bulk: number[] = [];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const n = epoch === o.epochs ? o.batchesPerEpoch - o.tail : o.batchesPerEpoch;
    bulk.push(await deliver(batches(epoch, 1, n)));
  }
  // The loss chart's own Chart.js update, from the User Timing entry LossChart writes.
  const chart: number[] = [];
  const observer = new g.PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.name === 'loss-chart-update') chart.push(e.duration);
  });
  observer.observe({ type: 'measure' });
  const tail: number[] = [];
  for (let b = o.batchesPerEpoch - o.tail + 1; b <= o.batchesPerEpoch; b++)
    tail.push(await deliver(batches(o.epochs, b, 1)));
  await afterTask(); // observers are told in a later task
  observer.disconnect();
  const card = g.document.querySelector('[data-testid="loss-chart-card"]');
  const points = Number(card?.getAttribute('data-points'));
  return { points, bulk, tail, chart };
}
