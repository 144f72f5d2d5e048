// Bad messages over the app's WebSocket: each gets an error reply, and the server keeps serving.
import type { Page } from '@playwright/test';
import { decode, encode } from '../../src/wire/codec.ts';
import { expect, hostRunId, test } from './support/fixtures.ts';
import type { PageGlobals, PageSocket } from './support/page-globals.ts';
import { shortRun } from './support/runs.ts';

test.skip(
  ({ appKind }) => appKind !== 'browser',
  'browser mode only: the desktop app talks over IPC, not a WebSocket',
);

interface Reply {
  kind: string;
  id?: number;
  result?: { ok: boolean; value?: unknown; error?: { code: string; message: string } };
  error?: { code: string; message: string };
}

/**
 * Opens a second WebSocket from the page, with the page's own token, sends `frames` as they are
 * (bytes as binary frames, strings as text) and returns every frame that comes back until
 * `expected` replies that are not events have arrived, decoded here with the app's codec.
 */
async function exchange(
  page: Page,
  frames: (Uint8Array | string)[],
  expected: number,
): Promise<Reply[]> {
  const sent = frames.map((f) => (typeof f === 'string' ? f : [...f]));
  // The page has no codec of its own: it asks this side what kind each frame is.
  await page.exposeFunction('wireKind', (bytes: number[]) => kindOf(bytes));
  const received = await page.evaluate(
    async ({ sent, expected }) => {
      const g = globalThis as unknown as PageGlobals;
      const token = new URLSearchParams(g.location.search).get('token') ?? '';
      const ws: PageSocket = new g.WebSocket(`ws://${g.location.host}/ws?token=${token}`);
      ws.binaryType = 'arraybuffer';
      const frames: number[][] = [];
      let replies = 0;
      const done = new Promise<number[][]>((resolve, reject) => {
        ws.addEventListener('message', (e) => {
          const bytes = [...new g.Uint8Array(e.data as ArrayBuffer)];
          frames.push(bytes);
          void g.wireKind(bytes).then((kind) => {
            if (kind !== 'event' && ++replies === expected) resolve(frames);
          });
        });
        ws.addEventListener('close', (e) => reject(new Error(`socket closed (${e.code})`)));
      });
      await new Promise((resolve) => ws.addEventListener('open', resolve));
      for (const f of sent) ws.send(typeof f === 'string' ? f : new g.Uint8Array(f));
      const result = await done;
      ws.close();
      return result;
    },
    { sent, expected },
  );
  return received
    .map((bytes) => decode(Uint8Array.from(bytes)) as Reply)
    .filter((r) => r.kind !== 'event');
}

const kindOf = (bytes: number[]): string => (decode(Uint8Array.from(bytes)) as Reply).kind;

const invoke = (id: number, channel: string, arg: unknown): Uint8Array =>
  encode({ kind: 'invoke', id, channel, arg });

test('malformed frames, an unknown channel and out-of-range settings are answered with errors', async ({
  app,
}) => {
  const studio = await app.open();
  const runBefore = hostRunId(await app.host.status());
  const config = { epochs: 1, batchSize: 25, learningRate: 1e-4, trainLimit: 300, testLimit: 200 };

  const replies = await exchange(
    studio.page,
    [
      Uint8Array.from([0x81, 0xa4, 0x6b, 0x69]), // a map cut off inside its first key
      '{"kind":"invoke","id":9,"channel":"training:status","arg":null}', // JSON, as text
      invoke(1, 'training:explode', null),
      invoke(2, 'training:start', { ...config, seed: 1, learningRate: 5 }),
      invoke(3, 'training:start', { ...config, seed: 1, batchSize: 301 }),
      invoke(4, 'training:start', { ...config, seed: 1, extra: true }),
      invoke(5, 'training:status', null), // the same socket still answers
    ],
    7,
  );
  const byId = (id: number): Reply | undefined => replies.find((r) => r.id === id);

  const errors = replies.filter((r) => r.kind === 'error').map((r) => r.error?.message);
  expect(errors).toEqual([
    expect.stringMatching(/^The frame is not valid MessagePack \(.+\)\.$/),
    'Text frames are not supported; send MessagePack in binary frames.',
  ]);
  expect(byId(1)?.result?.error?.code).toBe('BAD_REQUEST');
  expect(byId(1)?.result?.error?.message).toContain('unknown channel "training:explode"');
  expect(byId(2)?.result?.error).toEqual({
    code: 'BAD_REQUEST',
    message: 'training:start: learningRate: Learning rate must be above 0 and at most 1',
  });
  expect(byId(3)?.result?.error?.message).toBe(
    'training:start: batchSize: Batch size must not exceed the 300 training images',
  );
  expect(byId(4)?.result?.error?.message).toBe('training:start: extra: unknown field');
  expect(byId(5)?.result?.ok).toBe(true);

  // None of it started a run, and the app's own connection never noticed.
  expect(hostRunId(await app.host.status())).toBe(runBefore);
  await expect(studio.connection).toHaveAttribute('data-state', 'open');
  await expect(studio.errorPanel).toHaveCount(0);

  // A fresh page still connects, syncs and trains.
  const fresh = await app.openAnother();
  await fresh.startRun(shortRun());
  await expect.poll(() => fresh.points()).toBeGreaterThan(0);
});

test('a frame over the size limit closes only that socket', async ({ app }) => {
  const studio = await app.open();
  const closeCode = await studio.page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals;
    const token = new URLSearchParams(g.location.search).get('token') ?? '';
    const ws = new g.WebSocket(`ws://${g.location.host}/ws?token=${token}`);
    await new Promise((resolve) => ws.addEventListener('open', resolve));
    const closed = new Promise<number>((resolve) =>
      ws.addEventListener('close', (e) => resolve(e.code ?? 0)),
    );
    // Refused on its length, before a byte of it is decoded.
    ws.send(new g.Uint8Array(2 * 1024 * 1024));
    return closed;
  });
  expect(closeCode).toBe(1009); // "message too big"
  await expect(studio.connection).toHaveAttribute('data-state', 'open');
  expect((await app.host.status()).worker.state).toBe('idle');
});
