// A real host and worker with models and runs folders in a fresh temporary folder, and the
// helpers the dispatcher-level tests share. One per test file: the worker lives for the file.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatcher } from '../../../src/host/dispatch.ts';
import { typedFolders } from '../../../src/host/folders.ts';
import { spawnSourceWorker } from '../../../src/host/spawn-worker.ts';
import { TrainingHost } from '../../../src/host/training-host.ts';
import type { Result } from '../../../src/shared/contract.ts';
import type { ErrorEnvelope } from '../../../src/shared/errors.ts';

export interface HostFixture {
  root: string;
  host: TrainingHost;
  dispatch: ReturnType<typeof createDispatcher>;
  close(): Promise<void>;
}

export async function startHost(prefix: string): Promise<HostFixture> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  const host = new TrainingHost({
    spawn: () => spawnSourceWorker(),
    engine: 'wasm',
    dataDir: null,
    modelsDir: join(root, 'models'),
    runsDir: join(root, 'runs'),
    handwritingDir: join(root, 'handwriting'),
    log: () => {},
  });
  const dispatch = createDispatcher(host, { folders: typedFolders() });
  return {
    root,
    host,
    dispatch,
    close: async () => {
      await host.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export const ok = <T>(r: Result<unknown>): T => {
  assert.ok(r.ok, JSON.stringify(r).slice(0, 400));
  return r.value as T;
};

export const err = (r: Result<unknown>): ErrorEnvelope => {
  assert.ok(!r.ok, `expected an error, got ${JSON.stringify(r).slice(0, 200)}`);
  return r.error;
};
