// The `app` fixture: CNN Studio served by the real browser-mode server (project "browser") or the
// real Electron app (project "electron"), each with its real training worker. Specs see the same
// StudioPage either way, plus a `host` handle that talks to the training host like another client.
//
// One server (or Electron process) per Playwright worker, reset to idle around every test, so a
// spec never inherits a running training from the one before.
import {
  _electron,
  test as base,
  expect,
  type Browser,
  type BrowserContext,
  type ElectronApplication,
} from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../../src/host/serve.ts';
import type { AppStatus, Result } from '../../../src/shared/contract.ts';
import { StudioPage } from '../pages/studio-page.ts';
import { electronSkipReason, findElectronBinary } from './electron-binary.ts';
import { WireClient } from './wire-client.ts';

export type AppKind = 'browser' | 'electron';

export interface E2EOptions {
  appKind: AppKind;
}

/** The training host, reached the way a second window would reach it. */
export interface HostControl {
  invoke(channel: string, arg: unknown): Promise<Result<unknown>>;
  status(): Promise<AppStatus>;
}

export interface App {
  kind: AppKind;
  host: HostControl;
  /** Browser mode only: where the server listens. */
  server: Pick<RunningServer, 'url' | 'port' | 'token'> | null;
  /** A fresh view of the app, connected and synced with the host. */
  open(): Promise<StudioPage>;
  /**
   * A view opened now, while earlier ones stay as they are: a second tab in a browser. The desktop
   * app has one window, so there the window is reloaded: the same history replay a new view gets.
   */
  openAnother(): Promise<StudioPage>;
}

type Backend =
  | {
      kind: 'browser';
      server: RunningServer;
      browser: Browser;
      wire: WireClient;
      /** What the server logged, kept for the test it happened in rather than printed. */
      logs: string[];
    }
  | { kind: 'electron'; electron: ElectronApplication }
  | { kind: 'unavailable'; reason: string };

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export const test = base.extend<{ app: App }, E2EOptions & { backend: Backend }>({
  appKind: ['browser', { option: true, scope: 'worker' }],

  backend: [
    async ({ appKind, playwright, launchOptions }, use) => {
      if (appKind === 'electron') {
        const binary = findElectronBinary();
        if (binary.path === null)
          return use({ kind: 'unavailable', reason: electronSkipReason(binary) });
        const env = { ...process.env } as Record<string, string>;
        delete env.ELECTRON_RENDERER_URL; // else main would load a dev server instead of out/
        const electron = await _electron.launch({
          executablePath: binary.path,
          args: ['out/main/index.js'],
          cwd: ROOT,
          env,
        });
        await use({ kind: 'electron', electron });
        await electron.close();
        return;
      }
      // The real server with its own TrainingHost and worker, exactly as `npm run serve` makes it.
      const logs: string[] = [];
      // A models folder of its own, so the models panel can be tested without touching ~/.
      const modelsDir = mkdtempSync(join(tmpdir(), 'cnn-studio-e2e-models-'));
      const runsDir = join(modelsDir, '.runs'); // beside the models, removed with them
      const handwritingDir = join(modelsDir, '.handwriting');
      const server = await startServer({
        port: 0,
        modelsDir,
        runsDir,
        handwritingDir,
        log: (m) => logs.push(m),
      });
      const browser = await playwright.chromium.launch(launchOptions);
      const wire = await WireClient.connect(server);
      await use({ kind: 'browser', server, browser, wire, logs });
      wire.close();
      await browser.close();
      await server.close();
      rmSync(modelsDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  app: [
    async ({ backend, viewport, colorScheme }, use, testInfo) => {
      if (backend.kind === 'unavailable') {
        testInfo.skip(true, backend.reason); // throws: the test is reported as skipped
        return;
      }

      const contexts: BrowserContext[] = [];
      let app: App;
      if (backend.kind === 'browser') {
        const openTab = async (): Promise<StudioPage> => {
          const context = await backend.browser.newContext({ viewport, colorScheme });
          contexts.push(context);
          const page = await context.newPage();
          await page.goto(backend.server.url);
          const studio = new StudioPage(page);
          await studio.waitReady();
          return studio;
        };
        app = {
          kind: 'browser',
          server: backend.server,
          host: {
            invoke: (c, a) => backend.wire.invoke(c, a),
            status: () => backend.wire.status(),
          },
          open: openTab,
          openAnother: openTab,
        };
      } else {
        const window = await backend.electron.firstWindow();
        await window.waitForLoadState('domcontentloaded'); // the preload's window.studio is there
        const reload = async (): Promise<StudioPage> => {
          await window.reload();
          const studio = new StudioPage(window);
          await studio.waitReady();
          return studio;
        };
        const invoke = (channel: string, arg: unknown): Promise<Result<unknown>> =>
          window.evaluate(
            ([c, a]) =>
              (
                globalThis as unknown as {
                  studio: { invoke(c: string, a: unknown): Promise<Result<unknown>> };
                }
              ).studio.invoke(c, a),
            [channel, arg] as const,
          );
        app = {
          kind: 'electron',
          server: null,
          host: { invoke, status: async () => statusOf(await invoke('training:status', null)) },
          open: reload,
          openAnother: reload,
        };
      }

      await settle(app.host);
      const firstLog = backend.kind === 'browser' ? backend.logs.length : 0;
      await use(app);
      const failed = testInfo.status !== testInfo.expectedStatus;
      const logged = backend.kind === 'browser' ? backend.logs.slice(firstLog) : [];
      if (logged.length > 0) {
        await testInfo.attach('server-log', { body: logged.join('\n'), contentType: 'text/plain' });
        if (failed) console.error(logged.map((l) => `[server] ${l}`).join('\n'));
      }
      await settle(app.host); // do not leave a run burning CPU for the next test
      for (const context of contexts) await context.close();
    },
    { auto: true },
  ],
});

export { expect };

function statusOf(r: Result<unknown>): AppStatus {
  if (!r.ok) throw new Error(`training:status failed: ${r.error.message}`);
  return r.value as AppStatus;
}

/** Stops any run and waits until the worker is idle (a stop takes effect after its batch). */
async function settle(host: HostControl): Promise<void> {
  const { worker } = await host.status();
  if (worker.state === 'idle') return;
  await host.invoke('training:stop', null);
  await expect
    .poll(async () => (await host.status()).worker.state, { timeout: 30_000 })
    .toBe('idle');
}

/** The id of the host's current (or last) run, from its history; null before the first run. */
export function hostRunId(status: AppStatus): string | null {
  const started = status.history.find((e) => e.type === 'run-started');
  return started?.type === 'run-started' ? started.runId : null;
}

/** Batches the host holds for its current run: what any view that replays it must draw. */
export function hostPoints(status: AppStatus): number {
  let n = 0;
  for (const e of status.history) if (e.type === 'batch') n += e.losses.length;
  return n;
}
