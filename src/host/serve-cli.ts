// `npm run serve`: browser mode from the command line. Parses the options, builds the app once
// if it never was, starts the server (./serve.ts) with the folders under $CNN_STUDIO_HOME, prints
// the link with its token, and stops cleanly on Ctrl+C.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ENGINE_CHOICES, parseEngineChoice } from '../shared/config.ts';
import { isLoopback } from './access.ts';
import { DEFAULT_RENDERER_DIR, startServer, type ServerOptions } from './serve.ts';

export const USAGE = `Usage: npm run serve -- [options]

Opens CNN Studio in your browser instead of the Electron window.

  --port P      port to listen on (default 0: a free one)
  --host H      interface to bind (default 127.0.0.1; anything else exposes the app)
  --engine E    ${ENGINE_CHOICES.join(' | ')}  (default: $CNN_STUDIO_ENGINE or auto)
  --data DIR    read the four MNIST/Fashion-MNIST IDX files (raw or .gz) from DIR
  --models DIR  keep saved models in DIR (default: $CNN_STUDIO_HOME/models, ~/.cnn-studio/models)
  --checkpoint-dir DIR
                write each epoch's checkpoint to DIR (default: $CNN_STUDIO_HOME/checkpoint)
  --runs DIR    keep every run (history and weights) in DIR (default: $CNN_STUDIO_HOME/runs)
  -h, --help    show this help`;

export function parseServeArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { help: boolean; options: ServerOptions } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        engine: { type: 'string' },
        data: { type: 'string' },
        models: { type: 'string' },
        'checkpoint-dir': { type: 'string' },
        runs: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify.*$/s, '');
    throw new Error(message.endsWith('.') ? message : `${message}.`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port?.trim() === '')
    throw new Error(`--port must be a whole number from 0 to 65535; got "${values.port}".`);
  if (values.host !== undefined && values.host.trim() === '')
    throw new Error('--host needs a value.');
  if (values.data !== undefined && values.data.trim() === '')
    throw new Error('--data needs a folder path.');
  for (const flag of ['models', 'checkpoint-dir', 'runs'] as const)
    if (values[flag] !== undefined && values[flag].trim() === '')
      throw new Error(`--${flag} needs a folder path.`);
  const engine =
    values.engine !== undefined
      ? parseEngineChoice(values.engine, '--engine')
      : parseEngineChoice(env.CNN_STUDIO_ENGINE, 'CNN_STUDIO_ENGINE');
  return {
    help: values.help === true,
    options: {
      port,
      host: values.host ?? '127.0.0.1',
      engine,
      dataDir: values.data ?? null,
      ...(values.models !== undefined && { modelsDir: resolve(values.models) }),
      ...(values['checkpoint-dir'] !== undefined && {
        checkpointDir: resolve(values['checkpoint-dir']),
      }),
      ...(values.runs !== undefined && { runsDir: resolve(values.runs) }),
    },
  };
}

/** Builds the app once if out/renderer is missing, so a fresh checkout works with one command. */
function ensureBuilt(rendererDir: string): void {
  if (existsSync(join(rendererDir, 'index.html'))) return;
  console.log('The app has not been built yet; building it once (npm run build)...');
  // electron-vite exports only its API and package.json; its CLI is found through "bin".
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('electron-vite/package.json');
  const bin = (require(pkg) as { bin: Record<string, string> }).bin['electron-vite'];
  const cli = join(dirname(pkg), bin ?? 'bin/electron-vite.js');
  const r = spawnSync(process.execPath, [cli, 'build'], { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0 || !existsSync(join(rendererDir, 'index.html')))
    throw new Error('Building the app failed (see above). Fix it, then run `npm run build`.');
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseServeArgs(process.argv.slice(2), process.env);
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) return console.log(USAGE);
  const { options } = parsed;
  ensureBuilt(DEFAULT_RENDERER_DIR);
  if (options.host !== undefined && !isLoopback(options.host))
    console.warn(
      `Warning: --host ${options.host} makes CNN Studio reachable from other machines. ` +
        'Anyone with the link below can control training on this computer.',
    );
  const home = process.env.CNN_STUDIO_HOME ?? join(homedir(), '.cnn-studio');
  const running = await startServer({
    ...options,
    modelsDir: options.modelsDir ?? join(home, 'models'),
    checkpointDir: options.checkpointDir ?? join(home, 'checkpoint'),
    runsDir: options.runsDir ?? join(home, 'runs'),
    handwritingDir: options.handwritingDir ?? join(home, 'handwriting'),
  });
  console.log(`CNN Studio is running at ${running.url}`);
  console.log('Press Ctrl+C to stop.');
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(130); // a second Ctrl+C does not wait
    stopping = true;
    console.log(`\n${signal}: stopping (a run in progress finishes its current batch)...`);
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
  main().catch((e: unknown) => {
    console.error(`CNN Studio could not start: ${(e as Error).message}`);
    process.exitCode = 1;
  });
