// Bad messages over the app's WebSocket: each gets an error reply, and the server keeps serving.
import type { Page } from '@playwright/test';
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
 * and returns the non-event replies once `expected` have arrived (events of a run are skipped).
 */
function exchange(page: Page, frames: string[], expected: number): Promise<Reply[]> {
  return page.evaluate(
    async ({ frames, expected }) => {
      const g = globalThis as unknown as PageGlobals;
      const token = new URLSearchParams(g.location.search).get('token') ?? '';
      const ws: PageSocket = new g.WebSocket(`ws://${g.location.host}/ws?token=${token}`);
      const replies: Reply[] = [];
      const done = new Promise<Reply[]>((resolve, reject) => {
        ws.addEventListener('message', (e) => {
          const msg = JSON.parse(String(e.data)) as Reply;
          if (msg.kind !== 'event') replies.push(msg);
          if (replies.length === expected) resolve(replies);
        });
        ws.addEventListener('close', (e) => reject(new Error(`socket closed (${e.code})`)));
      });
      await new Promise((resolve) => ws.addEventListener('open', resolve));
      for (const frame of frames) ws.send(frame);
      const result = await done;
      ws.close();
      return result;
    },
    { frames, expected },
  );
}

const invoke = (id: number, channel: string, arg: unknown): string =>
  JSON.stringify({ kind: 'invoke', id, channel, arg });

test('invalid JSON, an unknown channel and out-of-range settings are answered with errors', async ({
  app,
}) => {
  const studio = await app.open();
  const runBefore = hostRunId(await app.host.status());
  const config = { epochs: 1, batchSize: 25, learningRate: 1e-4, trainLimit: 300, testLimit: 200 };

  const replies = await exchange(
    studio.page,
    [
      '{"kind": "invoke", this is not JSON',
      invoke(1, 'training:explode', null),
      invoke(2, 'training:start', { ...config, seed: 1, learningRate: 5 }),
      invoke(3, 'training:start', { ...config, seed: 1, batchSize: 301 }),
      invoke(4, 'training:start', { ...config, seed: 1, extra: true }),
      invoke(5, 'training:status', null), // the same socket still answers
    ],
    6,
  );
  const byId = (id: number): Reply | undefined => replies.find((r) => r.id === id);

  expect(replies.find((r) => r.kind === 'error')?.error).toEqual({
    code: 'BAD_REQUEST',
    message: 'The frame is not valid JSON.',
  });
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
    ws.send(invokeFrame(2 * 1024 * 1024));
    return closed;

    function invokeFrame(size: number): string {
      return JSON.stringify({ kind: 'invoke', id: 1, channel: 'x', arg: 'a'.repeat(size) });
    }
  });
  expect(closeCode).toBe(1009); // "message too big"
  await expect(studio.connection).toHaveAttribute('data-state', 'open');
  expect((await app.host.status()).worker.state).toBe('idle');
});
