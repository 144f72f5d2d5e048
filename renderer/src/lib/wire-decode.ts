// Browser mode's decoding of what the server sends: JSON has no typed arrays and no NaN, so kernel
// and feature-map values become Float32Arrays again, image pixels Uint8Arrays, and a `null` loss
// (NaN or Infinity on the server) NaN. Everything is then checked with the shared guards, the
// same ones that check IPC, before anyone sees it. The socket, retries and requests are in
// ws-client.ts.
import type { AppStatus, InvokeChannel } from '$shared/contract.ts';
import { envelope, type ErrorEnvelope } from '$shared/errors.ts';
import type { TrainingEvent } from '$shared/events.ts';
import { ValidationError, isPlainObject } from '$shared/guard.ts';
import { errorEnvelope, inspection, testImages, trainingEvent } from '$shared/validate.ts';

export function describe(e: unknown): string {
  return e instanceof ValidationError || e instanceof Error ? e.message : String(e);
}

export function readError(v: unknown): ErrorEnvelope {
  try {
    return errorEnvelope(v, 'error');
  } catch (e) {
    return envelope('INTERNAL', 'The server reported an error this app cannot read.', describe(e));
  }
}

const isNumberArray = (v: unknown): v is number[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'number');

/** Undoes what JSON did to an event, then validates it with the shared guard. */
export function reviveEvent(payload: unknown, path = 'event'): TrainingEvent {
  let p = payload;
  if (isPlainObject(p) && p['type'] === 'batch' && Array.isArray(p['losses'])) {
    p = { ...p, losses: p['losses'].map((x: unknown) => (x === null ? NaN : x)) };
  }
  if (isPlainObject(p) && p['type'] === 'filters' && Array.isArray(p['kernels'])) {
    p = {
      ...p,
      kernels: p['kernels'].map((k: unknown) =>
        isPlainObject(k) && isNumberArray(k['values'])
          ? { ...k, values: Float32Array.from(k['values']) }
          : k,
      ),
    };
  }
  if (isPlainObject(p) && p['type'] === 'evaluation' && Array.isArray(p['wrong'])) {
    p = { ...p, wrong: p['wrong'].map(withBytes) };
  }
  return trainingEvent(p, path);
}

/** An image object whose `pixels` arrived as a number array gets its Uint8Array back. */
function withBytes(image: unknown): unknown {
  // Only exact bytes are converted: Uint8Array.from would quietly wrap 300 or round 0.5.
  return isPlainObject(image) &&
    Array.isArray(image['pixels']) &&
    image['pixels'].every(
      (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255,
    )
    ? { ...image, pixels: Uint8Array.from(image['pixels'] as number[]) }
    : image;
}

/** model:inspect: feature-map values back to Float32Arrays, then the shared guard. */
function reviveInspection(value: unknown): unknown {
  let v = value;
  if (isPlainObject(v) && Array.isArray(v['maps']))
    v = {
      ...v,
      maps: v['maps'].map((m: unknown) =>
        isPlainObject(m) && isNumberArray(m['values'])
          ? { ...m, values: Float32Array.from(m['values']) }
          : m,
      ),
    };
  return inspection(v, 'value');
}

function reviveEngine(engine: unknown): NonNullable<AppStatus['engine']> {
  const checked = trainingEvent({ type: 'engine', engine }, 'value');
  if (checked.type !== 'engine') throw new ValidationError('value.engine', 'expected engine info');
  return checked.engine;
}

export function reviveValue(channel: InvokeChannel, value: unknown): unknown {
  if (channel === 'model:inspect') return reviveInspection(value);
  if (channel === 'data:test-images')
    return testImages(Array.isArray(value) ? value.map(withBytes) : value, 'value');
  if (channel !== 'training:status') return value;
  if (!isPlainObject(value)) throw new ValidationError('value', 'expected an object');
  const { engine, worker, history } = value;
  if (!Array.isArray(history)) throw new ValidationError('value.history', 'expected an array');
  if (!isPlainObject(worker) || typeof worker['state'] !== 'string')
    throw new ValidationError('value.worker', 'expected a worker status');
  // The engine is checked with the same guard as an `engine` event's.
  const status: AppStatus = {
    engine: engine === null ? null : reviveEngine(engine),
    worker: worker as unknown as AppStatus['worker'],
    history: history.map((e, i) => reviveEvent(e, `value.history[${i}]`)),
  };
  return status;
}
