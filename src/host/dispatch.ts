// The one place a renderer request becomes a host call. Electron IPC (electron/main/ipc.ts) and the
// browser-mode WebSocket (ws-transport.ts) both use it, so they cannot drift apart.
import type { Result } from '../shared/contract.ts';
import { envelope } from '../shared/errors.ts';
import { storageError } from '../library/errors.ts';
import { ValidationError, assertNever } from '../shared/guard.ts';
import { parseInvoke, type Invoke } from '../shared/ipc-validate.ts';
import { noFolders, type FolderPicker } from './folders.ts';
import { ModelService } from './model-service.ts';
import { RunService, chooseData } from './run-service.ts';
import type { TrainingHost } from './training-host.ts';

/** Validates and answers one request. Never throws and never rejects: errors are envelopes. */
export type Dispatch = (channel: unknown, arg: unknown) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** How model:export and model:import get their folders (default: refused). See folders.ts. */
  folders?: FolderPicker;
  /** Remembers a models folder chosen with model:choose-folder (the desktop's settings file). */
  onModelsFolder?: (dir: string) => Promise<void>;
}

/**
 * The models service depends on the host (it asks the worker to save, load and check), never
 * the other way round: the dispatcher owns it, one per window's dispatcher.
 */
export function createDispatcher(host: TrainingHost, options: DispatchOptions = {}): Dispatch {
  const models = new ModelService(host, host.dirs);
  const runs = new RunService(host);
  const folders = options.folders ?? noFolders();
  const remember = options.onModelsFolder ?? (async () => {});
  return async (channel, arg) => {
    let request: Invoke;
    try {
      request = parseInvoke(channel, arg);
    } catch (e) {
      const message = e instanceof ValidationError ? e.message : String(e);
      return { ok: false, error: envelope('BAD_REQUEST', message) };
    }
    try {
      return await route(host, { models, runs }, request, folders, remember);
    } catch (e) {
      // The host answers with envelopes; reaching this is a bug, but the caller still gets data.
      const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
      return {
        ok: false,
        error: envelope('INTERNAL', `${request.channel} failed unexpectedly.`, detail),
      };
    }
  };
}

async function route(
  host: TrainingHost,
  { models, runs }: { models: ModelService; runs: RunService },
  r: Invoke,
  folders: FolderPicker,
  remember: (dir: string) => Promise<void>,
): Promise<Result<unknown>> {
  switch (r.channel) {
    case 'training:start':
      return host.request({ type: 'start', config: r.arg });
    case 'training:pause':
      return host.request({ type: 'pause' });
    case 'training:resume':
      return host.request({ type: 'resume' });
    case 'training:stop':
      return host.request({ type: 'stop' });
    case 'training:status':
      // Answered by the host itself: it does not spawn a worker just to say "idle".
      return { ok: true, value: await host.status() };
    case 'model:predict':
      return host.request({ type: 'predict', pixels: r.arg });
    case 'model:inspect':
      return host.request({ type: 'inspect', pixels: r.arg });
    case 'model:explain':
      return host.request({ type: 'explain', ...r.arg });
    case 'model:inside':
      return host.request({ type: 'inside', pixels: r.arg });
    case 'model:worked':
      return host.request({ type: 'worked', ...r.arg });
    case 'data:test-images':
      return host.request({ type: 'test-images', indices: r.arg.indices });
    case 'model:list':
      return models.list();
    case 'model:save':
      return models.save(r.arg);
    case 'model:load':
      return models.load(r.arg);
    case 'model:rename':
      return models.rename(r.arg);
    case 'model:delete':
      return models.delete(r.arg);
    case 'model:export':
      return models.export(r.arg, folders);
    case 'model:import':
      return models.import(r.arg, folders);
    case 'model:choose-folder':
      return models.chooseFolder(r.arg, folders, remember);
    case 'training:checkpoint':
      return models.checkpoint();
    case 'training:finetune':
      return host.request({ type: 'finetune', arg: r.arg });
    case 'training:resume-checkpoint':
      return host.request({ type: 'resume-checkpoint' });
    case 'run:list':
      return runs.list();
    case 'run:open':
      return runs.open(r.arg.id);
    case 'run:history':
      return runs.history(r.arg.id);
    case 'run:star':
      return runs.star(r.arg);
    case 'run:delete':
      return runs.delete(r.arg.id);
    case 'run:export':
      return runs.export(r.arg, folders);
    case 'data:choose':
      return chooseData(host, r.arg, folders);
    case 'handwriting:list':
      return host.request({ type: 'handwriting' });
    case 'handwriting:edit':
      return host.request({ type: 'handwriting-edit', edit: r.arg });
    case 'handwriting:test':
      return host.request({ type: 'handwriting-test' });
    case 'handwriting:export':
      return handwritingFolder(
        () => folders.exportFolder(r.arg.folder, 'My handwriting'),
        (dir) => host.request({ type: 'handwriting-export', dir }),
      );
    case 'handwriting:import':
      return handwritingFolder(
        () => folders.drawingsFolder(r.arg.folder),
        (dir) => host.request({ type: 'handwriting-import', dir }),
      );
    default:
      return assertNever(r, 'channel');
  }
}

/** Asks `pick` for the folder (a dialog or the typed path), then the worker; null if cancelled. */
async function handwritingFolder<T>(
  pick: () => Promise<string | null>,
  then: (dir: string) => Promise<Result<T>>,
): Promise<Result<T | null>> {
  try {
    const dir = await pick();
    return dir === null ? { ok: true, value: null } : await then(dir);
  } catch (e) {
    return {
      ok: false,
      error: storageError(e, 'use that folder', 'Your handwriting is unchanged.'),
    };
  }
}
