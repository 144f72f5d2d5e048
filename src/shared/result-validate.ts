// Checks for what the host answers, one guard per invoke channel, as ipc-validate.ts checks what
// a window asks. Browser mode runs every answer through these before the app sees it, so a
// malformed answer is an error in words, not a crash somewhere in a panel.
import type { InvokeChannel, InvokeResult } from './contract.ts';
import { MAX_ERROR_MESSAGE } from './errors.ts';
import { array, bool, literal, nul, nullable, num, object, str, type Guard } from './guard.ts';
import {
  EXPORT_FORMATS,
  MODEL_NAME_MAX,
  type ExportResult,
  type ModelInfo,
  type ModelList,
} from './models.ts';
import {
  checkpointInfo,
  datasetInfo,
  engineInfo,
  testImages,
  trainConfig,
  trainingEvent,
} from './validate.ts';
import type { WorkerStatus } from './worker-protocol.ts';
import {
  explanation,
  insideView,
  inspection,
  probabilities,
  workedConvolution,
} from './answers-validate.ts';
import { runInfo, runList } from './runs.ts';
import { networkSpec } from './network-validate.ts';
import { handwritingSet, handwritingTest } from './handwriting.ts';

const path = str(4096);
const exportResult: Guard<ExportResult> = object({ path, format: literal(...EXPORT_FORMATS) });
const started = object({ runId: str(100) });

export const workerStatus: Guard<WorkerStatus> = object({
  state: literal('idle', 'running', 'paused'),
  runId: nullable(str(100)),
  hasModel: bool,
});

export const modelInfo: Guard<ModelInfo> = object({
  name: str(MODEL_NAME_MAX * 4),
  createdAt: nullable(str(100)),
  engine: nullable(str(100)),
  config: nullable(trainConfig),
  epochsTrained: nullable(num(0)),
  testAccuracy: nullable(num()),
  network: nullable(networkSpec()),
  changes: array(str(500), 20),
  bytes: num(0),
  problem: nullable(str(MAX_ERROR_MESSAGE)),
});

export const modelList: Guard<ModelList> = object({
  folder: path,
  models: array(modelInfo),
});

/** One guard per channel; the mapped type makes a missing channel a type error. */
export const invokeResult: { readonly [C in InvokeChannel]: Guard<InvokeResult<C>> } = {
  'training:start': started,
  'training:pause': nul,
  'training:resume': nul,
  'training:stop': nul,
  'training:status': object({
    engine: nullable(engineInfo),
    worker: workerStatus,
    history: array(trainingEvent),
    shown: nullable(object({ kind: literal('run', 'model'), name: str(MODEL_NAME_MAX * 4) })),
  }),
  'model:predict': object({ probabilities }),
  'model:inspect': inspection,
  'model:explain': explanation,
  'model:inside': insideView,
  'model:worked': workedConvolution,
  'data:test-images': testImages,
  'model:list': modelList,
  'model:save': modelInfo,
  'model:load': modelInfo,
  'model:rename': modelInfo,
  'model:delete': nul,
  'model:export': nullable(exportResult),
  'model:import': nullable(modelInfo),
  'model:choose-folder': nullable(modelList),
  'training:checkpoint': nullable(checkpointInfo),
  'training:resume-checkpoint': started,
  'training:finetune': started,
  'run:list': runList,
  'run:open': runInfo,
  'run:history': array(trainingEvent),
  'run:star': runInfo,
  'run:delete': nul,
  'run:export': nullable(exportResult),
  'data:choose': nullable(datasetInfo),
  'handwriting:list': handwritingSet,
  'handwriting:edit': handwritingSet,
  'handwriting:test': handwritingTest,
  'handwriting:export': nullable(object({ path })),
  'handwriting:import': nullable(handwritingSet),
};
