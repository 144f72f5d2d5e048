// The training worker's wire protocol. Commands in, events and replies out; both validated on receipt.
import type { EngineChoice, TrainConfig } from './config.ts';
import type { ErrorEnvelope } from './errors.ts';
import type { TrainingEvent } from './events.ts';

export interface Prediction {
  /** Ten softmax probabilities, digit 0..9. */
  probabilities: number[];
}

/** Requests that get exactly one reply, matched by id. */
export type WorkerRequest =
  | { type: 'start'; config: TrainConfig }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'predict'; pixels: Float32Array }
  /** Saves the current model atomically into `dir` (model.json + weights.bin). */
  | { type: 'save'; dir: string }
  | { type: 'status' };

export interface WorkerStatus {
  state: 'idle' | 'running' | 'paused';
  runId: string | null;
  hasModel: boolean;
}

/** Reply payload per request type: one map read by both sides. */
export interface WorkerReplies {
  start: { runId: string };
  pause: null;
  resume: null;
  stop: null;
  predict: Prediction;
  save: { dir: string; bytes: number };
  status: WorkerStatus;
}

export type WorkerCommand =
  | { type: 'init'; engine: EngineChoice; dataDir: string | null }
  | { type: 'request'; id: number; request: WorkerRequest }
  | { type: 'shutdown' };

export type WorkerReply =
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: ErrorEnvelope };

export type WorkerMessage = { type: 'event'; event: TrainingEvent } | WorkerReply;
