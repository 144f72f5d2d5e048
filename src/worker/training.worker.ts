// The training thread: the only place that loads TensorFlow. Thin plumbing over TrainingSession.
import { parentPort } from 'node:worker_threads';
import { envelope } from '../shared/errors.ts';
import { ValidationError } from '../shared/guard.ts';
import { workerCommand } from '../shared/validate.ts';
import type { WorkerMessage } from '../shared/worker-protocol.ts';
import { TrainingSession } from './session.ts';
import { internal } from './persistence.ts';
import { assertNever } from '../shared/guard.ts';

if (!parentPort) throw new Error('training.worker.ts must run as a worker thread');
const port = parentPort;

const send = (message: WorkerMessage): void => port.postMessage(message);
const session = new TrainingSession((event) => send({ type: 'event', event }));

port.on('message', (raw: unknown) => void receive(raw));

async function receive(raw: unknown): Promise<void> {
  let command;
  try {
    command = workerCommand(raw, 'command');
  } catch (e) {
    const id = (raw as { id?: unknown } | null)?.id;
    const message = e instanceof ValidationError ? e.message : String(e);
    if (typeof id === 'number')
      send({ type: 'reply', id, ok: false, error: envelope('BAD_REQUEST', message) });
    else
      send({
        type: 'event',
        event: { type: 'failed', runId: null, error: envelope('BAD_REQUEST', message) },
      });
    return;
  }
  switch (command.type) {
    case 'init':
      await session.init(
        command.engine,
        command.dataDir,
        command.checkpointDir ?? null,
        command.measureSpeed ?? false,
        command.handwritingDir ?? null,
      );
      return;
    case 'request':
      try {
        const value = await session.handle(command.request);
        send({ type: 'reply', id: command.id, ok: true, value });
      } catch (e) {
        send({ type: 'reply', id: command.id, ok: false, error: internal(e) });
      }
      return;
    case 'shutdown':
      await session.shutdown();
      port.close();
      process.exit(0);
    // eslint-disable-next-line no-fallthrough -- process.exit never returns
    default:
      return assertNever(command);
  }
}
