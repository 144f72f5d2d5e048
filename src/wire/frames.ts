// The messages of browser mode's WebSocket, one binary frame each (./codec.ts), and how each end
// reads the other's. The server reads invokes (readInvoke); the browser reads results, events and
// errors (readServerMessage), every event checked by the shared guard that checks IPC. An answer's
// value is checked by its channel's guard where the channel is known (the client's pending map).
//
//   client -> server  { kind: 'invoke', id, channel, arg }
//   server -> client  { kind: 'result', id, result: { ok: true, value } | { ok: false, error } }
//                     { kind: 'event', channel: 'training:event', payload: TrainingEvent }
//                     { kind: 'error', error }   (a frame whose request could not be told)
import type { EventChannel, Result } from '../shared/contract.ts';
import { envelope, errorText, type ErrorEnvelope } from '../shared/errors.ts';
import type { TrainingEvent } from '../shared/events.ts';
import { isPlainObject } from '../shared/guard.ts';
import { describeValue } from '../shared/json-depth.ts';
import { errorEnvelope, trainingEvent } from '../shared/validate.ts';
import { decode, encode } from './codec.ts';

export interface InvokeMessage {
  kind: 'invoke';
  id: number;
  channel: string;
  arg: unknown;
}

export type ServerMessage =
  | { kind: 'result'; id: number; result: Result<unknown> }
  | { kind: 'event'; channel: EventChannel; payload: TrainingEvent }
  | { kind: 'error'; error: ErrorEnvelope };

export const encodeMessage = (message: InvokeMessage | ServerMessage): Uint8Array =>
  encode(message);

// ---- server side ----

export type Invoke =
  | { ok: true; id: number; channel: unknown; arg: unknown }
  | { ok: false; id: number | null; message: string };

const INVOKE_KEYS = new Set(['kind', 'id', 'channel', 'arg']);

/** An invoke frame, or why it is not one (with its id once the id is readable). */
export function readInvoke(bytes: Uint8Array): Invoke {
  let msg: unknown;
  try {
    msg = decode(bytes);
  } catch (e) {
    return { ok: false, id: null, message: errorText(e) };
  }
  if (!isPlainObject(msg))
    return { ok: false, id: null, message: 'Expected an object like {kind: "invoke", ...}.' };
  if (msg['kind'] !== 'invoke')
    return {
      ok: false,
      id: null,
      message: `Unknown kind ${describeValue(msg['kind'])}; expected "invoke".`,
    };
  const id = msg['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    return { ok: false, id: null, message: 'id must be a whole number >= 0.' };
  // From here on the client can match the answer to its request, so errors become results.
  const extra = Object.keys(msg).find((k) => !INVOKE_KEYS.has(k));
  if (extra !== undefined) return { ok: false, id, message: `${extra}: unknown field` };
  if (!('arg' in msg))
    return { ok: false, id, message: 'arg: missing (send null when there is none)' };
  return { ok: true, id, channel: msg['channel'], arg: msg['arg'] };
}

// ---- client side ----

export type Received =
  | { kind: 'event'; event: TrainingEvent }
  /** `result` is unchecked when ok: only the caller knows the channel whose guard applies. */
  | { kind: 'result'; id: unknown; result: Result<unknown> }
  | { kind: 'error'; error: ErrorEnvelope }
  /**
   * Not a message this app can read: said in words, for the problem list. `mayBeAnswer`: it could
   * have been the answer to any request waiting (its id is unreadable), so none can wait for sure.
   */
  | { kind: 'unreadable'; problem: ErrorEnvelope; mayBeAnswer: boolean };

const unreadable = (message: string, detail?: string, mayBeAnswer = true): Received => ({
  kind: 'unreadable',
  problem: envelope('BAD_REQUEST', message, detail),
  mayBeAnswer,
});

export function readError(v: unknown): ErrorEnvelope {
  try {
    return errorEnvelope(v, 'error');
  } catch (e) {
    return envelope('INTERNAL', 'The server reported an error this app cannot read.', errorText(e));
  }
}

/** One frame from the server, decoded and checked. */
export function readServerMessage(bytes: Uint8Array): Received {
  let msg: unknown;
  try {
    msg = decode(bytes);
  } catch (e) {
    return unreadable('The server sent a message this app cannot decode.', errorText(e));
  }
  if (!isPlainObject(msg)) return unreadable('The server sent a message that is not an object.');
  switch (msg['kind']) {
    case 'event':
      if (msg['channel'] !== 'training:event')
        return unreadable(
          `Event on unknown channel ${describeValue(msg['channel'])}.`,
          undefined,
          false,
        );
      try {
        return { kind: 'event', event: trainingEvent(msg['payload'], 'payload') };
      } catch (e) {
        const message = 'The server sent a training event this app cannot read.';
        return unreadable(message, errorText(e), false);
      }
    case 'result':
      return { kind: 'result', id: msg['id'], result: readResult(msg['result']) };
    case 'error':
      return { kind: 'error', error: readError(msg['error']) };
    default:
      return unreadable(`The server sent an unknown message kind ${describeValue(msg['kind'])}.`);
  }
}

function readResult(result: unknown): Result<unknown> {
  if (!isPlainObject(result) || typeof result['ok'] !== 'boolean')
    return { ok: false, error: envelope('BAD_REQUEST', 'The server sent a malformed answer.') };
  return result['ok']
    ? { ok: true, value: result['value'] }
    : { ok: false, error: readError(result['error']) };
}
