// Frame times and message rates while the app trains: a report, not a test (no thresholds).
//
//   npx tsx test/e2e/measure-frames.ts [--seconds 15] [--train 3000] [--batch 50]
//
// Opens the browser-mode app in Debian's Chromium against the real server and worker, starts a run,
// and for --seconds collects requestAnimationFrame intervals in the page and the progress
// messages arriving over its WebSocket (counted by a WebSocket wrapper installed before the app
// loads). Then it times the LossChart update path at the size of the tutorial's full run (12 000
// batches) by feeding synthetic events through the app's own socket listener. One JSON line each.
import { chromium, type Page } from '@playwright/test';
import { parseArgs } from 'node:util';
import { startServer } from '../../src/host/serve.ts';
import { encode } from '../../src/wire/codec.ts';
import type { EngineInfo } from '../../src/shared/events.ts';
import globalSetup from './global-setup.ts';
import { StudioPage } from './pages/studio-page.ts';
import { chromiumLaunchOptions } from './support/chromium.ts';
import {
  collectFrames,
  installSpy,
  timeChartUpdates,
  type LongTask,
  type SpyMessage,
} from './support/measure-page.ts';
import { longRun } from './support/runs.ts';
import { WireClient } from './support/wire-client.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    train: { type: 'string', default: '3000' },
    batch: { type: 'string', default: '50' },
  },
});
const seconds = Number(values.seconds);
const trainLimit = Number(values.train);
const batchSize = Number(values.batch);

function stats(xs: number[]): { n: number; p50: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  const r = (x: number): number => Math.round(x * 100) / 100;
  return { n: s.length, p50: r(at(0.5)), p95: r(at(0.95)), max: r(s.at(-1) ?? NaN) };
}

const line = (o: object): void => console.log(JSON.stringify(o));

function afterMessages(tasks: LongTask[], messages: SpyMessage[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const task of tasks) {
    const cause = messages.findLast((m) => m.t <= task.t + 1 && task.t - m.t < 100);
    const key = cause?.type ?? 'none';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function frames(page: Page, phase: string, ms: number): Promise<void> {
  const r = await page.evaluate(collectFrames, ms);
  const messages = r.messages;
  const byType: Record<string, number> = {};
  const maxKbByType: Record<string, number> = {};
  for (const m of messages) {
    byType[m.type] = (byType[m.type] ?? 0) + 1;
    maxKbByType[m.type] = Math.max(maxKbByType[m.type] ?? 0, Math.round(m.bytes / 1024));
  }
  const perSec = (n: number): number => Math.round((n / (ms / 1000)) * 100) / 100;
  const frameStats = stats(r.frames);
  line({
    measure: 'frames',
    phase,
    seconds: ms / 1000,
    frames: frameStats.n,
    p50Ms: frameStats.p50,
    p95Ms: frameStats.p95,
    maxMs: frameStats.max,
    longTasks: r.longTasks.length,
    longTaskMaxMs: Math.round(Math.max(0, ...r.longTasks.map((l) => l.ms))),
    // Long tasks that began within 100 ms of a message's arrival, by the message's type.
    longTasksAfter: afterMessages(r.longTasks, messages),
  });
  line({
    measure: 'messages',
    phase,
    perSec: perSec(messages.length),
    byTypePerSec: Object.fromEntries(Object.entries(byType).map(([k, n]) => [k, perSec(n)])),
    kbPerSec: Math.round(messages.reduce((a, m) => a + m.bytes, 0) / 1024 / (ms / 1000)),
    maxKbByType,
  });
}

/**
 * Draw → prediction: what the draw pad waits for after a stroke, i.e. a 784-pixel drawing sent
 * over the app's socket, predicted by the worker (between batches while training) and returned.
 * While training, the batch time is read from the run's own progress events over the same
 * window, so the two compare under the same load (Chromium shares the 2 cores with training).
 */
async function predictLatency(wire: WireClient, phase: string): Promise<void> {
  const drawing = Float32Array.from({ length: 784 }, (_, i) => ((i * 7) % 13) / 13);
  const ms: number[] = [];
  const progress: { batches: number; sec: number }[] = [];
  wire.onEvent = (_channel, payload) => {
    const e = payload as { type: string; epoch: number; batchesPerEpoch: number } & Record<
      string,
      unknown
    >;
    if (e.type !== 'batch') return;
    const last = (e.firstBatch as number) + (e.losses as number[]).length - 1;
    progress.push({
      batches: (e.epoch - 1) * e.batchesPerEpoch + last,
      sec: e.elapsedSec as number,
    });
  };
  for (let k = 0; k < 40; k++) {
    // A stroke ends at a random moment of a batch, not just after the previous reply (which is
    // sent between two batches, so the next request would always wait for one whole batch).
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 400));
    const t = performance.now();
    const r = await wire.invoke('model:predict', drawing);
    if (!r.ok) throw new Error(`model:predict failed: ${JSON.stringify(r)}`);
    ms.push(performance.now() - t);
  }
  wire.onEvent = null;
  const first = progress[0];
  const last = progress.at(-1);
  const batchMs =
    first && last && last.batches > first.batches
      ? Math.round(((last.sec - first.sec) * 1000 * 10) / (last.batches - first.batches)) / 10
      : null;
  line({ measure: 'predict', phase, ...stats(ms), ...(batchMs === null ? {} : { batchMs }) });
}

async function main(): Promise<void> {
  globalSetup(); // build out/renderer if it is missing or stale
  const tServer = performance.now();
  const server = await startServer({ port: 0, log: () => {} });
  const wire = await WireClient.connect(server);
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // tsx compiles with esbuild's keepNames, which wraps named inner functions in __name(); the
    // page gets the functions below as source text, so it needs that helper too.
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.addInitScript(installSpy);
    await page.exposeFunction('__encodeFrame', (message: object) => [...encode(message)]);
    // The worker's start-up (from source through tsx here; the desktop app runs its bundle), from
    // the server's start until it names its engine, reported apart from the window's.
    while ((await wire.status()).engine === null) await new Promise((r) => setTimeout(r, 20));
    line({ measure: 'worker-ready', ms: Math.round(performance.now() - tServer) });
    // Time to interactive: navigation start to the app's controls enabled, with the server and
    // worker already up, as when the window opens on a running host.
    const tNav = performance.now();
    await page.goto(server.url);
    const studio = new StudioPage(page);
    await studio.waitReady();
    line({ measure: 'interactive', ms: Math.round(performance.now() - tNav) });
    const engine = (await wire.status()).engine as EngineInfo;
    line({
      measure: 'setup',
      engine: engine.label,
      trainLimit,
      batchSize,
      chromium: browser.version(),
    });

    await frames(page, 'idle', 5000);
    // Epochs enough to outlast the measurements on any machine (it is stopped below).
    await studio.startRun(longRun({ trainLimit, batchSize, epochs: 100 }));
    while ((await studio.points()) < 1) await page.waitForTimeout(100);
    await frames(page, 'training', seconds * 1000);
    await predictLatency(wire, 'training');
    await studio.stop();
    await studio.expectState('stopped');
    await predictLatency(wire, 'idle'); // the stopped run's model: a model exists only after a run

    // The LossChart update path at 12 000 points: 10 epochs of 1 200 batches, as in the tutorial.
    // Three synthetic runs: the first also warms the JIT up (reported apart as "cold"); an app
    // that trains for an hour spends it warm, so the figure is the two later runs' appends.
    const passes = [];
    for (let pass = 0; pass < 3; pass++) {
      passes.push(
        await page.evaluate(timeChartUpdates, {
          engine,
          epochs: 10,
          batchesPerEpoch: 1200,
          tail: 100,
        }),
      );
    }
    const [cold, ...warm] = passes as [(typeof passes)[0], ...typeof passes];
    line({
      measure: 'chart-update',
      points: cold.points,
      bulk1200PerEventMs: stats(cold.bulk),
      append1At12000Ms: stats(warm.flatMap((r) => r.tail)),
      coldAppend1At12000Ms: stats(cold.tail),
      lossChartUpdateMs: stats(warm.flatMap((r) => r.chart)),
    });
  } finally {
    await browser.close();
    wire.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
