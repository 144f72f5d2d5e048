// The browser-mode server as serve.test.ts and serve-ws.test.ts start it: for real, on a free port,
// with a real TrainingHost (whose worker starts only when a test asks for training) and a renderer
// folder holding one page and one asset, beside a file that must never be served.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../../src/host/serve.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';

const META_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; " +
  "form-action 'none'; frame-ancestors 'none'";
const INDEX = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta
      http-equiv="Content-Security-Policy"
      content="${META_CSP}"
    />
    <script type="module" crossorigin src="./assets/app-abc123.js"></script>
  </head>
  <body><div id="app"></div></body>
</html>
`;
const SECRET = 'TOP SECRET: outside the renderer folder';

export interface TestServer {
  server: RunningServer;
  /** How many workers the host has started. */
  spawns(): number;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cnn-studio-serve-'));
  await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(join(dir, 'renderer', 'index.html'), INDEX);
  await writeFile(join(dir, 'renderer', 'assets', 'app-abc123.js'), 'console.log("app");\n');
  await writeFile(join(dir, 'secret.txt'), SECRET);
  let spawns = 0;
  const host = new TrainingHost({
    spawn: () => (spawns++, spawnSourceWorker()),
    engine: 'wasm',
    dataDir: null,
    log: () => {},
  });
  const server = await startServer({
    port: 0,
    rendererDir: join(dir, 'renderer'),
    trainingHost: host,
    log: () => {},
  });
  return {
    server,
    spawns: () => spawns,
    close: async () => {
      await server.close();
      await host.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
