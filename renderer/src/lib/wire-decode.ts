// Browser mode's decoding of what the server sends: JSON has no typed arrays and no NaN, so kernel
// and feature-map values become Float32Arrays again, image pixels Uint8Arrays, and a `null` loss
// (NaN or Infinity on the server) NaN. Everything is then checked with the shared guards, the
// same ones that check IPC, before anyone sees it. The socket, retries and requests are in
// ws-client.ts.
import type { InvokeChannel, InvokeResult } from '$shared/contract.ts';
import { invokeResult } from '$shared/result-validate.ts';
import { envelope, type ErrorEnvelope } from '$shared/errors.ts';
import type { TrainingEvent } from '$shared/events.ts';
import { isPlainObject } from '$shared/guard.ts';
import { errorEnvelope, trainingEvent } from '$shared/validate.ts';

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
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

/** model:inspect: feature-map values back to Float32Arrays. */
function reviveInspection(value: unknown): unknown {
  if (!isPlainObject(value) || !Array.isArray(value['maps'])) return value;
  return {
    ...value,
    maps: value['maps'].map((m: unknown) =>
      isPlainObject(m) && isNumberArray(m['values'])
        ? { ...m, values: Float32Array.from(m['values']) }
        : m,
    ),
  };
}

/** What JSON did to an answer, undone, before the channel's guard checks it. */
function revive(channel: InvokeChannel, value: unknown): unknown {
  switch (channel) {
    case 'model:inspect':
      return reviveInspection(value);
    case 'data:test-images':
      return Array.isArray(value) ? value.map(withBytes) : value;
    case 'training:status':
      if (!isPlainObject(value) || !Array.isArray(value['history'])) return value;
      return {
        ...value,
        history: value['history'].map((e, i) => reviveEvent(e, `value.history[${i}]`)),
      };
    default:
      return value;
  }
}

/** Every answer, whatever its channel, is checked by that channel's guard (result-validate.ts). */
export function reviveValue<C extends InvokeChannel>(channel: C, value: unknown): InvokeResult<C> {
  return invokeResult[channel](revive(channel, value), 'value') as InvokeResult<C>;
}
