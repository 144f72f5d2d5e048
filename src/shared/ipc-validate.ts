// Runtime checks for renderer -> main requests. Electron IPC and the browser-mode WebSocket both
// pass every (channel, argument) pair through parseInvoke before anything reaches the host:
// a renderer is treated as untrusted input, like any other process boundary.
import { INVOKE_CHANNELS, type InvokeArg, type InvokeChannel } from './contract.ts';
import { ValidationError, bool, nul, nullable, object, type Guard } from './guard.ts';
import { testIndices, trainConfig } from './validate.ts';
import { explainArg, pixels, workedArg } from './answers-validate.ts';
import { finetuneArg } from './finetune.ts';
import {
  chooseFolderArg,
  exportModelArg,
  folderPath,
  importModelArg,
  modelNameArg,
  renameModelArg,
  saveModelArg,
} from './models.ts';
import { exportRunArg, runIdArg, starRunArg } from './runs.ts';
import { handwritingEdit } from './handwriting.ts';

export { pixels };

/** One argument guard per invoke channel; the mapped type makes a missing channel a type error. */
export const invokeArg: { readonly [C in InvokeChannel]: Guard<InvokeArg<C>> } = {
  'training:start': trainConfig,
  'training:pause': nul,
  'training:resume': nul,
  'training:stop': nul,
  'training:status': nul,
  'model:predict': pixels,
  'model:inspect': pixels,
  'model:explain': object(explainArg),
  'model:inside': pixels,
  'model:worked': object(workedArg),
  'data:test-images': object({ indices: testIndices }),
  'model:list': nul,
  'model:save': saveModelArg,
  'model:load': modelNameArg,
  'model:rename': renameModelArg,
  'model:delete': modelNameArg,
  'model:export': exportModelArg,
  'model:import': importModelArg,
  'model:choose-folder': chooseFolderArg,
  'training:checkpoint': nul,
  'training:resume-checkpoint': nul,
  'training:finetune': finetuneArg,
  'run:list': nul,
  'run:open': runIdArg,
  'run:history': runIdArg,
  'run:star': starRunArg,
  'run:delete': runIdArg,
  'run:export': exportRunArg,
  'data:choose': object({ bundled: bool, folder: nullable(folderPath) }),
  'handwriting:list': nul,
  'handwriting:edit': handwritingEdit,
  'handwriting:test': nul,
  'handwriting:export': object({ folder: nullable(folderPath) }),
  'handwriting:import': object({ folder: nullable(folderPath) }),
};

/** A channel name from the contract; anything else (including `__proto__`) is refused by name. */
export const invokeChannel: Guard<InvokeChannel> = (v, p) => {
  if (typeof v !== 'string') throw new ValidationError(p, 'the channel must be a string');
  if (!(INVOKE_CHANNELS as readonly string[]).includes(v))
    throw new ValidationError(
      p,
      `unknown channel ${JSON.stringify(v.slice(0, 100))}; expected one of ${INVOKE_CHANNELS.join(', ')}`,
    );
  return v as InvokeChannel;
};

/** A validated request, discriminated by channel so callers can switch exhaustively. */
export type Invoke = { [C in InvokeChannel]: { channel: C; arg: InvokeArg<C> } }[InvokeChannel];

/**
 * Checks a request from a renderer. Throws a ValidationError whose message reads like
 * "training:start: batchSize: Batch size must be between 1 and 4096".
 */
export function parseInvoke(channel: unknown, arg: unknown): Invoke {
  const c = invokeChannel(channel, 'channel');
  try {
    // The cast is safe: invokeArg[c] is the guard for exactly this channel.
    return { channel: c, arg: invokeArg[c](arg, '') } as Invoke;
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(c, e.path ? `${e.path}: ${e.problem}` : e.problem);
  }
}
