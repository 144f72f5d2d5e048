// Starts the training worker from source (CLI, browser mode, tests). The Electron build bundles the
// worker with electron-vite's `?nodeWorker` import instead and passes its own spawn function.
import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('../worker/training.worker.ts', import.meta.url).href;

/**
 * Node 20 does not pass --import loader hooks on to worker threads, so the worker registers tsx
 * itself before importing the TypeScript entry.
 */
export function spawnSourceWorker(env: NodeJS.ProcessEnv = process.env): Worker {
  const bootstrap = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL)}); })`;
  return new Worker(bootstrap, { eval: true, env, name: 'cnn-studio-training' });
}
