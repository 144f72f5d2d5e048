// What the host does when the training worker stops answering mid-run: the worker is replaced
// and the run continues from its last checkpoint by itself, and the resumed run's first event
// carries a notice so the window says what happened. Twice in a row without a finished run
// means the cause comes back: then it is left to the user.
import type { TrainingEvent } from '../shared/events.ts';

const MAX_IN_A_ROW = 2;

export class AutoResume {
  private running = false;
  private inARow = 0;
  private notice: string | null = null;

  /** Follows the run's life from its events. */
  observe(event: TrainingEvent): void {
    switch (event.type) {
      case 'run-started':
        this.running = true;
        return;
      case 'finished':
      case 'stopped':
        this.inARow = 0;
        this.running = false;
        return;
      case 'failed':
        this.running = false;
        return;
      default:
        return;
    }
  }

  /** Whether a stuck worker's run should be resumed; if so, `notice` goes on its next start. */
  begin(notice: string): boolean {
    if (!this.running || this.inARow >= MAX_IN_A_ROW) return false;
    this.inARow++;
    this.running = false;
    this.notice = notice;
    return true;
  }

  /** The resumed run's run-started event, with the notice; other events unchanged. */
  annotate(event: TrainingEvent): TrainingEvent {
    if (event.type !== 'run-started' || this.notice === null) return event;
    const notice = this.notice;
    this.notice = null;
    return { ...event, notice };
  }

  /** The resume failed: nothing will start, so nothing to annotate. */
  abandon(): void {
    this.notice = null;
  }
}
