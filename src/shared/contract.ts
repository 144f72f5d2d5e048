// The one IPC contract, read by main, preload, the browser-mode server and the renderer.
// Channel names are `domain:action`. Invoke channels get exactly one answer; event channels push.
import type { FinetuneArg } from './finetune.ts';
import type { TrainConfig } from './config.ts';
import type { ErrorEnvelope } from './errors.ts';
import type { EngineInfo, TestImage, TrainingEvent } from './events.ts';
import type {
  ExplainArg,
  InsideView,
  WorkedArg,
  WorkedConvolution,
  Explanation,
  Inspection,
  Prediction,
  WorkerStatus,
} from './worker-protocol.ts';
import type {
  CheckpointInfo,
  ChooseFolderArg,
  ExportModelArg,
  ExportResult,
  ImportModelArg,
  ModelInfo,
  ModelList,
  ModelNameArg,
  RenameModelArg,
  SaveModelArg,
} from './models.ts';
import type { ExportRunArg, RunIdArg, RunInfo, RunList, StarRunArg } from './runs.ts';
import type { DatasetInfo } from './dataset.ts';
import type { HandwritingEdit, HandwritingSet, HandwritingTest } from './handwriting.ts';

/** Renderer -> main requests: channel -> [argument, result]. */
export interface InvokeChannels {
  'training:start': [TrainConfig, { runId: string }];
  'training:pause': [null, null];
  'training:resume': [null, null];
  'training:stop': [null, null];
  'training:status': [null, AppStatus];
  'model:predict': [Float32Array, Prediction];
  /** predict plus the conv1 [28,28,32] and conv2 [14,14,64] feature maps of the drawing. */
  'model:inspect': [Float32Array, Inspection];
  /** Why: the saliency and occlusion maps of an image for one class (null: the predicted one). */
  'model:explain': [ExplainArg, Explanation];
  /** The Inside view: every layer's output for an image, with the network that made them. */
  'model:inside': [Float32Array, InsideView];
  /** out = Σ w·in + b worked through at one output pixel of one convolution layer. */
  'model:worked': [WorkedArg, WorkedConvolution];
  /** Test-set images by index (1..MAX_TEST_IMAGES of them), e.g. a confusion-matrix cell's. */
  'data:test-images': [{ indices: number[] }, TestImage[]];
  /** The models folder and every model in it (see src/shared/models.ts). */
  'model:list': [null, ModelList];
  /** Saves the current model under a name; NAME_TAKEN unless overwrite. */
  'model:save': [SaveModelArg, ModelInfo];
  /** Makes a saved model the current one (for predictions), after checking all of it. */
  'model:load': [ModelNameArg, ModelInfo];
  'model:rename': [RenameModelArg, ModelInfo];
  'model:delete': [ModelNameArg, null];
  /** Copies a model to a folder the user picks (a native dialog on the desktop); null if cancelled. */
  'model:export': [ExportModelArg, ExportResult | null];
  /** Copies a checked model folder the user picks into the library; null if cancelled. */
  'model:import': [ImportModelArg, ModelInfo | null];
  /** Moves the library to a folder the user picks (desktop: a dialog); null if cancelled. */
  'model:choose-folder': [ChooseFolderArg, ModelList | null];
  /** The last run's checkpoint, or null if there is none. */
  'training:checkpoint': [null, CheckpointInfo | null];
  /** Continues the checkpointed run after its last completed epoch. */
  'training:resume-checkpoint': [null, { runId: string }];
  /** Trains a copy of the current model further on "My handwriting", as a new run. */
  'training:finetune': [FinetuneArg, { runId: string }];
  /** Every kept run, newest first (see src/shared/runs.ts). */
  'run:list': [null, RunList];
  /** Makes a kept run the current model: its weights for predictions, its history everywhere. */
  'run:open': [RunIdArg, RunInfo];
  /** A kept run's curves (its start, batches, epochs and end), for Compare. */
  'run:history': [RunIdArg, TrainingEvent[]];
  /** Stars (keeps for good) or unstars a run. */
  'run:star': [StarRunArg, RunInfo];
  'run:delete': [RunIdArg, null];
  /** Copies a run's final weights out as a tfjs folder or an ONNX file; null if cancelled. */
  'run:export': [ExportRunArg, ExportResult | null];
  /**
   * Trains on other data from now on: the bundled MNIST, or a folder of the four IDX files
   * (desktop: a dialog; browser mode on 127.0.0.1: a typed path). null if cancelled.
   */
  'data:choose': [DataChoiceArg, DatasetInfo | null];
  /** "My handwriting": the learner's labelled drawings (src/shared/handwriting.ts). */
  'handwriting:list': [null, HandwritingSet];
  /** Adds (refused when nearly empty), deletes or relabels a drawing; the set after it. */
  'handwriting:edit': [HandwritingEdit, HandwritingSet];
  /** The current model on every drawing of the set. */
  'handwriting:test': [null, HandwritingTest];
  /** Writes the set as IDX files into `<folder>/my-handwriting/`; null if cancelled. */
  'handwriting:export': [FolderArg, { path: string } | null];
  /** Adds the drawings of a folder's IDX pair to the set; null if cancelled. */
  'handwriting:import': [FolderArg, HandwritingSet | null];
}

/** A folder: null asks with a dialog (desktop); a typed path in browser mode on 127.0.0.1. */
export interface FolderArg {
  folder: string | null;
}

export interface DataChoiceArg {
  bundled: boolean;
  /** Browser mode's typed path; null asks with a dialog (desktop). Ignored when bundled. */
  folder: string | null;
}

/** Main -> renderer pushes: channel -> payload. */
export interface EventChannels {
  'training:event': TrainingEvent;
}

export type InvokeChannel = keyof InvokeChannels;
export type EventChannel = keyof EventChannels;
export type InvokeArg<C extends InvokeChannel> = InvokeChannels[C][0];
export type InvokeResult<C extends InvokeChannel> = InvokeChannels[C][1];

/** What a (re)connecting renderer needs to draw the current state, including a run in progress. */
export interface AppStatus {
  engine: EngineInfo | null;
  worker: WorkerStatus;
  /** Events of the current or last run, in order, so a new window can replay them. */
  history: TrainingEvent[];
  /** Set when what the windows show was opened, not trained in this session; null otherwise. */
  shown: Shown | null;
}

/** A kept run opened from the run list, or a saved model loaded from the library. */
export interface Shown {
  kind: 'run' | 'model';
  /** The run's id or the model's name. */
  name: string;
}

/** Every answer crosses as this envelope: errors are data, never thrown objects. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorEnvelope };

export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  'training:start',
  'training:pause',
  'training:resume',
  'training:stop',
  'training:status',
  'model:predict',
  'model:inspect',
  'model:explain',
  'model:inside',
  'model:worked',
  'data:test-images',
  'model:list',
  'model:save',
  'model:load',
  'model:rename',
  'model:delete',
  'model:export',
  'model:import',
  'model:choose-folder',
  'training:checkpoint',
  'training:resume-checkpoint',
  'training:finetune',
  'run:list',
  'run:open',
  'run:history',
  'run:star',
  'run:delete',
  'run:export',
  'data:choose',
  'handwriting:list',
  'handwriting:edit',
  'handwriting:test',
  'handwriting:export',
  'handwriting:import',
];
export const EVENT_CHANNELS: readonly EventChannel[] = ['training:event'];

/** The API the renderer sees: preload provides it in Electron, a WebSocket client in a browser. */
export interface StudioApi {
  invoke<C extends InvokeChannel>(channel: C, arg: InvokeArg<C>): Promise<Result<InvokeResult<C>>>;
  /** Returns an unsubscribe function. */
  on<C extends EventChannel>(channel: C, listener: (payload: EventChannels[C]) => void): () => void;
}
