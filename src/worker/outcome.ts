// How a run ended, as the event the windows get.
import { envelope } from '../shared/errors.ts';
import type { TrainingEvent } from '../shared/events.ts';
import { assertNever } from '../shared/guard.ts';
import type { TrainOutcome } from '../training/trainer.ts';

export function outcomeEvent(
  runId: string,
  outcome: TrainOutcome,
  shuttingDown: boolean,
): TrainingEvent {
  switch (outcome.kind) {
    case 'finished':
      return {
        type: 'finished',
        runId,
        epochs: outcome.epochs,
        testAccuracy: outcome.test.accuracy,
        elapsedSec: outcome.activeSeconds,
      };
    case 'stopped':
      return {
        type: 'stopped',
        runId,
        reason: shuttingDown ? 'shutdown' : 'user',
        epochsCompleted: outcome.epochsCompleted,
      };
    case 'diverged':
      return {
        type: 'failed',
        runId,
        error: envelope(
          'NON_FINITE_LOSS',
          `Training stopped: the loss became ${outcome.loss} at epoch ${outcome.epoch}, batch ${outcome.batch}. ` +
            'The learning rate is probably too high; the tutorial uses 0.0001.',
        ),
      };
    default:
      return assertNever(outcome);
  }
}
